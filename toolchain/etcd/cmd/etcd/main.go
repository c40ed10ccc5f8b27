// Command etcd is the etcd server of the local cluster (scripts/cluster-toolchain.sh),
// built from the release of go.etcd.io/etcd/server/v3 that k8s.io/kubernetes pins, so the
// API server gets the storage features it expects (RequestWatchProgress, needed by
// watch-list clients, is missing from Debian's etcd 3.4).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
