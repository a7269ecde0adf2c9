// Package e2e holds end-to-end tests that drive the real terraform CLI
// against the built provider binary (installed through dev_overrides, as a
// user testing offline would) and an in-process simulator: the soak test
// under injected faults and the interrupted-apply test. They run with
// TF_ACC set, as make test does.
package e2e
