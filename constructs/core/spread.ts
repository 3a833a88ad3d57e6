/**
 * A topology spread that keeps a workload's replicas on different nodes: at
 * most one more on any node than on another (`maxSkew` 1), and a replica that
 * would break that waits (`DoNotSchedule`), so two replicas never share a node
 * while another eligible node has none. Only nodes the pods may run on count:
 * those their node affinity selects and whose taints they tolerate (both
 * policies `Honor`; taints are ignored by default, so a tainted node would
 * count as an empty domain and keep a replica Pending). `pod-template-hash`
 * spreads each rollout's new ReplicaSet on its own.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
export function spreadOverNodes(podLabels: Readonly<Record<string, string>>): Record<string, unknown>[] {
  return [{
    maxSkew: 1,
    topologyKey: 'kubernetes.io/hostname',
    whenUnsatisfiable: 'DoNotSchedule',
    nodeAffinityPolicy: 'Honor',
    nodeTaintsPolicy: 'Honor',
    labelSelector: { matchLabels: { ...podLabels } },
    matchLabelKeys: ['pod-template-hash'],
  }];
}

/** The labels Helm charts select their pods by (`<chart>.selectorLabels`): the chart's name and the release's. */
export function chartPodLabels(chartName: string, releaseName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': chartName, 'app.kubernetes.io/instance': releaseName };
}
