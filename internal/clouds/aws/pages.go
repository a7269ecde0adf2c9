package aws

import (
	"context"
	"time"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// allPages walks every page of an EC2 list through the framework's page
// walk (each page retried on its own). EC2 pages by an opaque NextToken;
// the walk numbers pages, so the token of each next page is kept here.
// fetch gets the page for token (nil for the first) and returns its items
// and the next token (nil or "" after the last).
func allPages[T any](ctx context.Context, p *Provider, what string, fetch func(ctx context.Context, token *string) ([]T, *string, error)) ([]T, error) {
	tokens := map[int]*string{1: nil}
	return framework.AllPages(ctx, p.retry, func(ctx context.Context, page int) ([]T, int, error) {
		items, next, err := fetch(ctx, tokens[page])
		if err != nil {
			return nil, 0, err
		}
		// A token that repeats would loop: the SDK's paginators stop there too.
		if next == nil || *next == "" || (tokens[page] != nil && *next == *tokens[page]) {
			return items, 0, nil
		}
		tokens[page+1] = next
		return items, page + 1, nil
	}, func(page, attempt int, err error, _ time.Duration) {
		p.logf(ctx, "retrying a page", map[string]any{"provider": providerName, "list": what, "page": page, "attempt": attempt + 1, "error": err.Error()})
	})
}
