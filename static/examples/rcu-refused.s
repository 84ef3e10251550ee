// An RCU read section is still refused: unwinding cannot leave it.
//
// Every mode rejects the throw ("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region").
.ctx tc

	call bpf_rcu_read_lock
	r1 = 1
	call bpf_throw
	call bpf_rcu_read_unlock
	r0 = 0
	exit
