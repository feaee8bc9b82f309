/** Placeholder until the cluster, tree, log and timeline panels arrive. */
export function App() {
  const versions = window.labInfo?.versions
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>ZooKeeper Failover Lab</h1>
      <p>The lab engine runs from the command line for now: <code>npx zklab run resources/scenarios/kill-primary.yaml</code>.</p>
      {versions && (
        <p>
          Electron {versions.electron}, Chromium {versions.chrome}, Node {versions.node}
        </p>
      )}
    </main>
  )
}
