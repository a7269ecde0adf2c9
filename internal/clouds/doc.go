// Package clouds wires the cloud implementations into the framework: it owns
// the default registry, which maps every cloud spuff knows (and its aliases)
// to its factory. Each cloud lives in its own subpackage (hetzner, ...);
// clouds that are known but not built yet are registered as
// framework.Unimplemented so that users get NotImplemented, not
// UnknownProvider.
package clouds
