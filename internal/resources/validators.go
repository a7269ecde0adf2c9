package resources

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// cloudValidator checks the provider's cloud against the registry at
// validate time, listing what is supported.
type cloudValidator struct {
	registry *framework.Registry
}

func (v cloudValidator) Description(context.Context) string {
	return "must name a cloud this provider implements: " + supportedClouds(v.registry)
}

func (v cloudValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v cloudValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	c, ok := v.registry.Lookup(name)
	switch {
	case !ok:
		resp.Diagnostics.AddAttributeError(req.Path, "Unsupported Cloud",
			fmt.Sprintf("The cloud %q is not known to this provider. Set cloud to one of: %s.", name, supportedClouds(v.registry)))
	case !c.Implemented():
		resp.Diagnostics.AddAttributeError(req.Path, "Cloud Not Implemented Yet",
			fmt.Sprintf("The cloud %q is planned but not implemented in this version of the provider. Set cloud to one of: %s.", name, supportedClouds(v.registry)))
	}
}

// supportedClouds renders the implemented clouds with their aliases, e.g.
// `"hetzner" (alias "hcloud")`.
func supportedClouds(r *framework.Registry) string {
	var parts []string
	for _, c := range r.Implemented() {
		s := fmt.Sprintf("%q", c.Name)
		if len(c.Aliases) > 0 {
			s += fmt.Sprintf(" (alias %q)", strings.Join(c.Aliases, `", "`))
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// supportedCloudsMarkdown is supportedClouds for docs, with the planned
// clouds named too.
func supportedCloudsMarkdown(r *framework.Registry) string {
	var now, planned []string
	for _, c := range r.Registered() {
		s := "`" + c.Name + "`"
		if len(c.Aliases) > 0 {
			s += " (alias `" + strings.Join(c.Aliases, "`, `") + "`)"
		}
		if c.Implemented() {
			now = append(now, s)
		} else {
			planned = append(planned, s)
		}
	}
	out := strings.Join(now, ", ")
	if len(planned) > 0 {
		out += "; planned: " + strings.Join(planned, ", ")
	}
	return out
}

// endpointValidator applies framework.ValidateEndpoint at validate time.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be an https URL, or an http URL on a loopback host (127.0.0.1, ::1, localhost)"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := framework.ValidateEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Endpoint", configErrorDetail(err))
	}
}

// durationValidator requires a positive Go duration such as "30s" or "5m".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `must be a positive duration such as "30s", "5m" or "1h30m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parsePositiveDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration", req.Path.String()+": "+err.Error())
	}
}

func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf(`%q is not a duration: use a number with a unit (s, m, h), such as "30s", "5m" or "1h30m"`, s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be a positive duration, greater than zero", s)
	}
	return d, nil
}

// reservedLabelValidator stops users from setting the provider's own labels
// (managed-by, spuff-request-id): the provider owns them.
type reservedLabelValidator struct{}

func (reservedLabelValidator) Description(context.Context) string {
	return fmt.Sprintf("must not set the labels %s, which the provider sets itself", strings.Join(framework.ReservedLabelKeys, ", "))
}

func (v reservedLabelValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (reservedLabelValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for _, key := range framework.ReservedLabelKeys {
		if _, ok := req.ConfigValue.Elements()[key]; ok {
			resp.Diagnostics.AddAttributeError(req.Path, "Reserved Label",
				fmt.Sprintf("The label %q is reserved: the provider sets %s itself on everything it creates and uses them to find what it manages. Remove it from labels.",
					key, strings.Join(framework.ReservedLabelKeys, " and ")))
		}
	}
}

// regexValidator requires a valid RE2 regular expression.
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "must be a valid regular expression (RE2 syntax)"
}

func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Name Regex", regexDetail(err))
	}
}

func regexDetail(err error) string {
	return "name_regex: " + err.Error() + ". Use RE2 syntax (https://github.com/google/re2/wiki/Syntax), e.g. \"^ci-\"."
}

// configErrorDetail renders a framework error for a diagnostic detail.
func configErrorDetail(err error) string {
	var ic *framework.InvalidConfigError
	if errors.As(err, &ic) {
		return fmt.Sprintf("Invalid %s: %s.", ic.Field, strings.TrimSuffix(ic.Message, "."))
	}
	return err.Error()
}
