package hetzner

import (
	"context"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// listPerPage is the API's largest page.
const listPerPage = 50

// allPages walks every page of a list through the framework's page walk
// (each page retried on its own, its errors marked as retried so that the
// registry's retry decorator does not retry the whole list again). This
// adapter only says how Hetzner numbers its pages.
func allPages[T any](ctx context.Context, p *Provider, what string, fetch func(ctx context.Context, opts hcloud.ListOpts) ([]T, *hcloud.Response, error)) ([]T, error) {
	return framework.AllPages(ctx, p.retry, func(ctx context.Context, page int) ([]T, int, error) {
		got, resp, err := fetch(ctx, hcloud.ListOpts{Page: page, PerPage: listPerPage})
		if err != nil {
			return nil, 0, fail(ctx, err, subject{})
		}
		next := 0
		if resp != nil && resp.Meta.Pagination != nil {
			next = resp.Meta.Pagination.NextPage
		}
		return got, next, nil
	}, func(page, attempt int, err error, _ time.Duration) {
		p.logf(ctx, "retrying a page", map[string]any{"provider": providerName, "list": what, "page": page, "attempt": attempt + 1, "error": err.Error()})
	})
}
