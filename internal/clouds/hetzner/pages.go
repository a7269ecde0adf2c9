package hetzner

import (
	"context"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"
)

// RetriesPages is true: lists retry each page (framework.PageRetrier).
func (p *Provider) RetriesPages() bool { return true }

// listPerPage is the API's largest page.
const listPerPage = 50

// allPages walks every page of a list, retrying each page under the
// framework's policy. hcloud-go's All* helpers restart nothing: one failed
// page fails the whole list, and a list of 200 pages would then rarely
// survive a flaky network however often it were retried as a whole.
func allPages[T any](ctx context.Context, p *Provider, what string, fetch func(ctx context.Context, opts hcloud.ListOpts) ([]T, *hcloud.Response, error)) ([]T, error) {
	var out []T
	for page := 1; page != 0; {
		var items []T
		var next int
		err := p.retry.Do(ctx, func(ctx context.Context) error {
			got, resp, err := fetch(ctx, hcloud.ListOpts{Page: page, PerPage: listPerPage})
			if err != nil {
				return fail(ctx, err, subject{})
			}
			items, next = got, 0
			if resp != nil && resp.Meta.Pagination != nil {
				next = resp.Meta.Pagination.NextPage
			}
			return nil
		}, func(attempt int, err error, _ time.Duration) {
			p.logf(ctx, "retrying a page", map[string]any{"provider": providerName, "list": what, "page": page, "attempt": attempt + 1, "error": err.Error()})
		})
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		page = next
	}
	return out, nil
}
