package framework

import (
	"context"
	"maps"
	"slices"
)

// InstanceFilter narrows a list of managed instances to those carrying all
// of Labels (user labels). A nil map matches every managed instance.
type InstanceFilter struct {
	Labels map[string]string
}

// FilteringLister is implemented by clouds that filter lists of instances
// on their side, so that only matching machines cross the wire.
type FilteringLister interface {
	ListInstancesFiltered(ctx context.Context, f InstanceFilter) ([]Instance, error)
}

// ListInstancesMatching lists the managed instances matching f, filtered by
// the cloud where it can. Callers filter the answer again: the server-side
// filter is an optimisation, not the guard.
func ListInstancesMatching(ctx context.Context, p Provider, f InstanceFilter) ([]Instance, error) {
	if fl, ok := p.(FilteringLister); ok && len(f.Labels) > 0 {
		return fl.ListInstancesFiltered(ctx, f)
	}
	return p.ListInstances(ctx)
}

// SortedKeys returns m's keys in order, for selectors that must not depend
// on map iteration.
func SortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
