package resources

import (
	"strings"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Descriptions quote what each cloud declares about itself, so that the
// resources name no cloud of their own.

// notesOn renders every cloud's note on attr, e.g. " On Hetzner Cloud: ...".
func notesOn(clouds []framework.Cloud, attr string) string {
	var b strings.Builder
	for _, c := range clouds {
		if n := c.Notes[attr]; n != "" {
			b.WriteString(" On " + c.DisplayName + ": " + n)
		}
	}
	return b.String()
}

// examplesOf renders each cloud's examples, e.g. "`fsn1`, `nbg1` on
// Hetzner Cloud".
func examplesOf(clouds []framework.Cloud, pick func(framework.CloudExample) []string) string {
	return eachCloud(clouds, func(c framework.Cloud) string {
		return "`" + strings.Join(pick(c.Example), "`, `") + "` on " + c.DisplayName
	})
}

// inPlaceOn names the clouds that make a change in place, for "changed in
// place on ...; elsewhere a change replaces".
func inPlaceOn(clouds []framework.Cloud, can func(framework.UpdateCapabilities) bool) string {
	var where []framework.Cloud
	for _, c := range clouds {
		if can(c.Updates) {
			where = append(where, c)
		}
	}
	if len(where) == 0 {
		return "A change replaces it."
	}
	return "Changed in place on " + eachCloud(where, func(c framework.Cloud) string { return c.DisplayName }) +
		"; on other clouds a change replaces it."
}

// addressOnResize names the clouds where a resize gives the machine a new
// public address (the plan shows it unknown there), or says nothing.
func addressOnResize(clouds []framework.Cloud) string {
	var where []framework.Cloud
	for _, c := range clouds {
		if c.Updates.Resize && c.Updates.ResizeChangesAddress {
			where = append(where, c)
		}
	}
	if len(where) == 0 {
		return ""
	}
	return " An in-place resize on " + eachCloud(where, func(c framework.Cloud) string { return c.DisplayName }) +
		" gives the machine a new address, so the plan shows it as known after apply."
}
