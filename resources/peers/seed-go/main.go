// The seed's Go program (the blog post "分布式学习十四:协调任务"), run by the lab as the `seed-go` peer.
//
// Its control flow is the seed's, flaws included, because the lab grades what that program does:
// it panics on every error, never closes its connection (a stopped primary's node stays until the
// session expires), registers instance/server_<id> + ZooKeeper's sequence (no underscore before it),
// reads a node's id from its last 8 characters, and a standby sets status "0" on ANY child event of
// instance (a standby joining or leaving makes status flap). Its prints go to stdout, as in the seed.
//
// What differs is only what the lab needs to run it: the server id is still os.Args[1], but the
// connect string (a comma list, which may name a server more than once), the task path, the session
// timeout and the commit interval come from the lab's ZKLAB_* environment instead of constants.
// The seed keeps no sink (no record of its work besides lastCommit), and neither does this program:
// the lab judges its work from its writes to lastCommit.
//
// Built by the lab in GOPATH mode against Debian's golang-github-samuel-go-zookeeper-dev, the same
// client API as the seed's github.com/go-zookeeper/zk import.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/samuel/go-zookeeper/zk"
)

var serverId int = 1

type instanceStatus int

var (
	StatusRunning instanceStatus = 1
	StatusStandby instanceStatus = -1
)

// The lab's settings, read where the seed had constants.
var commitInterval = 5 * time.Second

func main() {
	serverId, _ = strconv.Atoi(os.Args[1])
	commitInterval = envDuration("ZKLAB_COMMIT_INTERVAL_MS", commitInterval)
	conn, _, err := zk.Connect(envServers(), envDuration("ZKLAB_SESSION_TIMEOUT_MS", time.Second*10))
	if err != nil {
		panic(err)
	}
	logWithTime(fmt.Sprintf("serverId:%v start.", serverId))
	//task path
	path := envString("ZKLAB_TASK_PATH", "/customBackUp/tasks/task01")

	//check path exits
	exists, _, err := conn.Exists(path)
	if err != nil {
		panic(err)
	}
	logWithTime(fmt.Sprintf("check task node exist."))

	//if path  not exits,create path
	if exists == false {
		err := createPath(conn, path)
		if err != nil {
			panic(err)
		}
		err = createPath(conn, path+"/instance/")
		if err != nil {
			panic(err)
		}
		err = createPath(conn, path+"/lastCommit/")
		if err != nil {
			panic(err)
		}
		err = createPath(conn, path+"/status/")
		if err != nil {
			panic(err)
		}
		logWithTime(fmt.Sprintf("create task node"))
	}

	//register task(create a node sequence and ephemeral path)
	registerInstanceNodePath := path + "/instance/" + "server_" + strconv.Itoa(serverId)
	createPath, err := conn.Create(registerInstanceNodePath, []byte{}, zk.FlagSequence|zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	if err != nil {
		panic(err)
	}
	logWithTime(fmt.Sprintf("register instance node: %v", createPath))

start_worker:
	status, err := checkInstanceStatus(conn, createPath, path+"/instance")
	if err != nil {
		panic(err)
	}
	logWithTime(fmt.Sprintf("current server status: %v", status))

	if status == StatusRunning {
		//status need to update to running
		_, err := conn.Set(path+"/status", []byte("1"), -1)
		if err != nil {
			panic(err)
		}
		logWithTime(fmt.Sprintf("current server handle task..."))
		handleTask(conn, path+"/lastCommit")

	} else if status == StatusStandby {

		logWithTime(fmt.Sprintf("current server watch node..."))
		watchTaskNode(conn, path+"/instance")
		//status need to update to stop
		_, err := conn.Set(path+"/status", []byte("0"), -1)
		if err != nil {
			panic(err)
		}
		goto start_worker

	}
}

func handleTask(conn *zk.Conn, commitPath string) {
	//get commitId
	bytes, _, err := conn.Get(commitPath)
	if err != nil {
		panic(err)
	}
	str := string(bytes)
	id, _ := strconv.Atoi(str)
	for {
		id++
		str := strconv.Itoa(id)
		_, err := conn.Set(commitPath, []byte(str), -1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("[%v]serverId(%v),commitId:%v \n", time.Now().Format("2006-01-02 15:04:05"), serverId, id)
		time.Sleep(commitInterval)
	}
}

func watchTaskNode(conn *zk.Conn, watchPath string) {
	_, _, events, err := conn.ChildrenW(watchPath)
	if err != nil {
		panic(err)
	}
	// The seed prints no newline here: its next log line follows on the same line.
	fmt.Printf("event change: %v", <-events)
	return
}

func checkInstanceStatus(conn *zk.Conn, nodeName string, path string) (status instanceStatus, err error) {
	currentId := getInstanceNodeId(nodeName)
	minId := currentId
	//get all child nodes of task Instance node
	nodeArr, _, err := conn.Children(path)
	if err != nil {
		return 0, err
	}
	for _, v := range nodeArr {
		nodeId := getInstanceNodeId(v)
		if nodeId <= minId {
			minId = nodeId
		}
	}
	if minId == currentId {
		return StatusRunning, nil
	} else {
		return StatusStandby, nil
	}
}

func getInstanceNodeId(nodeName string) int {
	//only the last 8 digits, as in the seed: past 10^8 registrations the order wraps
	id := nodeName[len(nodeName)-8:]
	intId, _ := strconv.Atoi(id)
	return intId
}

func createPath(conn *zk.Conn, path string) (err error) {
	strArr := strings.Split(path, "/")
	var node string
	for _, str := range strArr {
		if str == "" {
			continue
		}
		node = node + "/" + str
		exists, _, err := conn.Exists(node)
		if err != nil {
			return errors.New(err.Error())
		}
		if exists {
			continue
		} else {
			_, err = conn.Create(node, []byte{}, 0, zk.WorldACL(zk.PermAll))
			if err != nil {
				return errors.New(err.Error())
			}
		}
	}
	return err
}

func logWithTime(log string) {
	fmt.Printf("%v %v\n", time.Now().Format("2006-01-02 15:04:05"), log)
}

// The lab's connect string, "host:port,host:port": one entry per listed server, repeats kept (the
// client tries them in turn, so a server listed three times is tried three times as often).
func envServers() []string {
	connect := envString("ZKLAB_CONNECT", "127.0.0.1:20005")
	if strings.Contains(connect, "/") {
		panic("go-zookeeper takes no chroot: ZKLAB_CONNECT must be host:port[,host:port...], got " + connect)
	}
	return strings.Split(connect, ",")
}

func envString(name string, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func envDuration(name string, fallback time.Duration) time.Duration {
	value := os.Getenv(name)
	if value == "" {
		return fallback
	}
	ms, err := strconv.Atoi(value)
	if err != nil {
		panic(err)
	}
	return time.Duration(ms) * time.Millisecond
}
