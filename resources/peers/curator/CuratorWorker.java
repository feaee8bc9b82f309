import java.io.FileWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The lab's `curator` peer: one task worker built on Apache Curator's LeaderLatch, run on Debian's
 * libcurator-recipes-java.
 *
 * Every candidate's latch holds a node under task/instance (Curator names it _c_uuid-latch-seq); the
 * owner of the smallest has leadership. Following Curator's advice on connection states, a
 * ConnectionStateListener stops the work on SUSPENDED and LOST (leadership is in doubt until the
 * connection is back), and every step checks the latch's own hasLeadership(), which Curator clears on
 * SUSPENDED. On SIGTERM a shutdown hook lets the step in flight finish, then closes the latch and the
 * client, so the node goes at once and the next candidate leads without waiting for the session timeout.
 *
 * The task is the lab's: the leader sets status "1", reads lastCommit, then every commit interval commits
 * id+1 to lastCommit (a versioned set, so a stale leader's write fails) and appends one JSON line
 * {id, worker, time, session} to the sink. Settings come from the lab's ZKLAB_* environment.
 */
public final class CuratorWorker {
  private static final String TASK_PATH = System.getenv("ZKLAB_TASK_PATH");
  private static final int WORKER_ID = Integer.parseInt(System.getenv("ZKLAB_WORKER_ID"));
  private static final int SESSION_TIMEOUT_MS = intEnv("ZKLAB_SESSION_TIMEOUT_MS", 4000);
  private static final int COMMIT_INTERVAL_MS = intEnv("ZKLAB_COMMIT_INTERVAL_MS", 1000);
  private static final String SINK = System.getenv("ZKLAB_SINK");

  private static volatile boolean stopping = false;
  private static volatile boolean connected = false;
  /** One step (commit then record) at a time, so the shutdown hook never closes between the two. */
  private static final ReentrantLock step = new ReentrantLock();

  public static void main(String[] args) throws Exception {
    CuratorFramework client =
        CuratorFrameworkFactory.newClient(
            System.getenv("ZKLAB_CONNECT"), SESSION_TIMEOUT_MS, 15_000, new ExponentialBackoffRetry(200, 3));
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              connected = state.isConnected();
              log("connection " + state);
            });
    client.start();
    if (!client.blockUntilConnected(15, TimeUnit.SECONDS)) throw new IllegalStateException("no ZooKeeper session within 15 s");
    LeaderLatch latch = new LeaderLatch(client, TASK_PATH + "/instance", String.valueOf(WORKER_ID));
    latch.addListener(
        new LeaderLatchListener() {
          public void isLeader() {
            log("leader (session " + session(client) + ")");
          }

          public void notLeader() {
            log("no longer leader");
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping = true;
                  try {
                    step.tryLock(2, TimeUnit.SECONDS);
                    latch.close();
                  } catch (IOException | IllegalStateException | InterruptedException e) {
                    log("latch close: " + e);
                  }
                  client.close();
                  log("stopped, session closed");
                }));
    latch.start();
    log("started, session " + session(client));
    while (!stopping) {
      if (!latch.await(COMMIT_INTERVAL_MS, TimeUnit.MILLISECONDS) || stopping) continue;
      try {
        lead(client, latch);
      } catch (KeeperException e) {
        log("leadership ended by " + e.code());
      } catch (IllegalStateException e) {
        if (!stopping) throw e;
      }
    }
    // The shutdown hook closes the latch and the session.
  }

  private static void lead(CuratorFramework client, LeaderLatch latch) throws Exception {
    client.setData().forPath(TASK_PATH + "/status", "1".getBytes(StandardCharsets.UTF_8));
    Stat stat = new Stat();
    String data = new String(client.getData().storingStatIn(stat).forPath(TASK_PATH + "/lastCommit"), StandardCharsets.UTF_8);
    long last = data.isEmpty() ? 0 : Long.parseLong(data.trim());
    int version = stat.getVersion();
    // Commit comes before record: a leader that died between the two left its last commit unrecorded.
    for (long missing = lastRecorded() + 1; missing <= last; missing++) {
      record(client, missing, true);
      log("recorded " + missing + ", committed by the leader before");
    }
    while (!stopping) {
      step.lock();
      try {
        // SUSPENDED or LOST: leadership is in doubt, so no work until the latch says it is ours again.
        if (stopping || !connected || !latch.hasLeadership()) return;
        long id = last + 1;
        try {
          version = client.setData().withVersion(version).forPath(TASK_PATH + "/lastCommit", Long.toString(id).getBytes(StandardCharsets.UTF_8)).getVersion();
        } catch (KeeperException.BadVersionException e) {
          log("commit " + id + " refused: lastCommit moved, someone else leads");
          return;
        }
        record(client, id, false);
        last = id;
        log("commit " + id);
      } finally {
        step.unlock();
      }
      Thread.sleep(COMMIT_INTERVAL_MS);
    }
  }

  /** The id of the sink's last whole record (0 for none). */
  private static long lastRecorded() throws Exception {
    Path sink = Paths.get(SINK);
    if (!Files.exists(sink)) return 0;
    List<String> lines = Files.readAllLines(sink, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i >= 0; i--) {
      Matcher m = ID.matcher(lines.get(i));
      if (m.find()) return Long.parseLong(m.group(1));
    }
    return 0;
  }

  private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+),");

  private static void record(CuratorFramework client, long id, boolean reconciled) throws Exception {
    Path sink = Paths.get(SINK);
    if (sink.getParent() != null) Files.createDirectories(sink.getParent());
    try (FileWriter out = new FileWriter(SINK, StandardCharsets.UTF_8, true)) {
      out.write(
          String.format(
              "{\"id\":%d,\"worker\":%d,\"time\":%d,\"session\":\"%s\"%s}%n",
              id, WORKER_ID, System.currentTimeMillis(), session(client), reconciled ? ",\"reconciled\":true" : ""));
    }
  }

  private static String session(CuratorFramework client) {
    try {
      return Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId());
    } catch (Exception e) {
      return "";
    }
  }

  private static int intEnv(String name, int fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : Integer.parseInt(value);
  }

  private static void log(String message) {
    System.out.println(new SimpleDateFormat("yyyy-MM-dd HH:mm:ss").format(new Date()) + " worker " + WORKER_ID + ": " + message);
    System.out.flush();
  }
}
