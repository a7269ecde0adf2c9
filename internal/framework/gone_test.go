package framework

import (
	"context"
	"testing"
)

func TestPollEachOrList(t *testing.T) {
	ctx := context.Background()
	var gets, lists int
	get := func(_ context.Context, id string) (*Instance, error) {
		gets++
		if id == "alive" {
			return &Instance{ID: id}, nil
		}
		return nil, nil
	}
	list := func(context.Context) ([]Instance, error) {
		lists++
		return []Instance{{ID: "alive"}, {ID: "other"}}, nil
	}
	pages := int64(0)
	poll := PollEachOrList(get, list, func() int64 { return pages })
	ids := map[string]struct{}{"alive": {}, "gone": {}}
	check := func(got map[string]WatchState) {
		t.Helper()
		if got["alive"].Done || !got["gone"].Done {
			t.Errorf("states = %v, want alive waiting and gone done", got)
		}
	}
	// Two waits against a list of at most one page: one list, no reads.
	got, err := poll(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	check(got)
	if gets != 0 || lists != 1 {
		t.Errorf("%d reads and %d lists, want one list", gets, lists)
	}
	// Against a list of many pages, two reads are cheaper.
	pages = 5
	got, err = poll(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	check(got)
	if gets != 2 || lists != 1 {
		t.Errorf("%d reads and %d lists, want two reads more", gets, lists)
	}
}
