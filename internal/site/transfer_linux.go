package site

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// ackedBytes is how many bytes the peer of a TCP connection has acknowledged so far (TCP_INFO's
// tcpi_bytes_acked, Linux 4.1 and later): what a client has taken, whatever sits in the kernel's
// buffers.
func ackedBytes(rc syscall.RawConn) (uint64, bool) {
	var info *unix.TCPInfo
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); cerr != nil || err != nil {
		return 0, false
	}
	return info.Bytes_acked, true
}
