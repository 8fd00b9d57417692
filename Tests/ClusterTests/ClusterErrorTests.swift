import Cluster
import Testing

@Test func placeholderDescribes() {
    #expect(ClusterError.placeholder.description == "cluster error")
}
