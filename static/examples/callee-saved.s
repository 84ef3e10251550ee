// Resources in callee-saved registers across three frames.
//
// main keeps a task in r6, level1 a cgroup in r7, level2 an object in r8, and level2 also
// uses r6 for itself. The throw goes through the hidden trampoline, which spills R6-R9; the
// unwinder releases level2's object, restores the registers level2 saved (main's task comes
// back into r6), releases level1's cgroup, restores level1's saved r7, and finally releases
// main's task.
.ctx tc

	r1 = 1
	call bpf_task_from_pid		// pid 1 exists in the default world
	if r0 == 0 goto out
	r6 = r0				// main: task in r6
	call level1
	r1 = r6
	call bpf_task_release
out:
	r0 = 0
	exit

level1:
	r1 = 1
	call bpf_cgroup_from_id		// the root cgroup
	if r0 == 0 goto level1_out
	r7 = r0				// level1: cgroup in r7
	call level2
	r1 = r7
	call bpf_cgroup_release
level1_out:
	r0 = 0
	exit

level2:
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto level2_out
	r8 = r0				// level2: object in r8
	r6 = 42				// level2 uses r6 too: its prologue saved main's task
	r1 = 7
	call bpf_throw
	r1 = r8
	call bpf_obj_drop
level2_out:
	r0 = 0
	exit
