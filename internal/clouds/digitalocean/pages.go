package digitalocean

import (
	"context"
	"time"

	"github.com/digitalocean/godo"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// listPerPage is the API's largest page; tests make it small.
var listPerPage = 200

// allPages walks every page of a list through the framework's page walk
// (each page retried on its own). This adapter only says how DigitalOcean
// numbers its pages: links.pages.next, absent on the last page.
func allPages[T any](ctx context.Context, p *Provider, what string, fetch func(ctx context.Context, opts *godo.ListOptions) ([]T, *godo.Response, error)) ([]T, error) {
	return framework.AllPages(ctx, p.retry, func(ctx context.Context, page int) ([]T, int, error) {
		got, resp, err := fetch(ctx, &godo.ListOptions{Page: page, PerPage: listPerPage})
		if err != nil {
			return nil, 0, fail(ctx, err, subject{})
		}
		next := 0
		if resp != nil && resp.Links != nil && !resp.Links.IsLastPage() {
			next = page + 1
		}
		return got, next, nil
	}, func(page, attempt int, err error, _ time.Duration) {
		p.logf(ctx, "retrying a page", map[string]any{"provider": providerName, "list": what, "page": page, "attempt": attempt + 1, "error": err.Error()})
	})
}
