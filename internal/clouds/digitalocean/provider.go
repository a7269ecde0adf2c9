package digitalocean

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// Provider is the DigitalOcean implementation of framework.Provider. It
// also implements framework.SnapshotGetter, RequestValidator,
// LabelValidator, FilteringLister and InstanceFinder.
//
// godo's own retries are off (WithRetryAndBackoffs is never set): every
// call goes through the framework's one retry policy, applied by the
// registry, which also makes creates idempotent.
type Provider struct {
	// Defaults supplies SupportsSnapshots (true); SSHKeys is overridden.
	framework.Defaults

	client   *godo.Client
	timeouts framework.Timeouts
	log      framework.LogFunc // may be nil

	// retry is the framework's policy, used here only for single pages.
	retry framework.RetryPolicy

	// ready follows droplets becoming active with an address; gone
	// confirms deletes. Both share their polls among concurrent waits.
	ready *framework.Watcher[struct{}]
	gone  *framework.Watcher[struct{}]
	seen  framework.Seen
	// listPages is the page count of the last list of managed droplets:
	// polls read by ID while that is cheaper than a list.
	listPages atomic.Int64
}

var (
	_ framework.Provider         = (*Provider)(nil)
	_ framework.SnapshotGetter   = (*Provider)(nil)
	_ framework.RequestValidator = (*Provider)(nil)
	_ framework.LabelValidator   = (*Provider)(nil)
	_ framework.FilteringLister  = (*Provider)(nil)
	_ framework.InstanceFinder   = (*Provider)(nil)
)

// New validates cfg and builds a DigitalOcean provider. It calls no API.
func New(cfg framework.Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base := http.DefaultTransport
	timeout := cfg.Timeouts.HTTPRequest
	if cfg.HTTPClient != nil {
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
		timeout = cfg.HTTPClient.Timeout
	}
	// The token goes through oauth2's transport, as godo expects.
	httpClient := &http.Client{
		Timeout: timeout,
		Transport: &oauth2.Transport{
			Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: strings.TrimSpace(cfg.Token)}),
			Base:   base,
		},
	}
	opts := []godo.ClientOpt{}
	if cfg.Endpoint != "" {
		opts = append(opts, godo.SetBaseURL(strings.TrimSuffix(cfg.Endpoint, "/")+"/"))
	}
	ua := "spuff"
	if cfg.UserAgent != "" {
		ua = cfg.UserAgent
	}
	opts = append(opts, godo.SetUserAgent(ua))
	client, err := godo.New(httpClient, opts...)
	if err != nil {
		return nil, framework.InvalidConfig("endpoint", err.Error())
	}
	p := &Provider{
		client:   client,
		timeouts: cfg.Timeouts,
		log:      cfg.Log,
		retry:    framework.DefaultRetryPolicy(),
	}
	if cfg.Retry != nil {
		p.retry = *cfg.Retry
	}
	p.ready = newReadyWatcher(p)
	p.gone = framework.GoneWatcher(p.pollGone, p.timeouts, p.log, map[string]any{"provider": providerName})
	return p, nil
}

// logf sends a log line to the configured sink, if any.
func (p *Provider) logf(ctx context.Context, msg string, fields map[string]any) {
	if p.log != nil {
		p.log(ctx, msg, fields)
	}
}

// Name returns "digitalocean".
func (p *Provider) Name() string { return providerName }

// CreateInstance creates a droplet and returns at once, its status "new".
func (p *Provider) CreateInstance(ctx context.Context, req framework.InstanceRequest) (*framework.Instance, error) {
	if err := framework.ValidateRequest(p, req); err != nil {
		return nil, err
	}
	image, err := imageFor(req.Image)
	if err != nil {
		return nil, err
	}
	keys, err := p.resolveSSHKeys(ctx, req.SSHKeys)
	if err != nil {
		return nil, err
	}
	if err := p.nameFree(ctx, req.Name); err != nil {
		return nil, err
	}
	d, _, err := p.client.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name:     req.Name,
		Region:   req.Region,
		Size:     req.Size,
		Image:    image,
		SSHKeys:  keys,
		UserData: req.UserData, // raw: the API takes cloud-init as is
		Tags:     labelsToTags(req.Labels),
	})
	if err != nil {
		return nil, fail(ctx, err, subject{})
	}
	if d == nil {
		return nil, framework.API(0, "the create answer carried no droplet")
	}
	return dropletToInstance(d), nil
}

// nameFree refuses a name a managed droplet already has. DigitalOcean
// would make a second droplet of the name; spuff treats names as unique,
// as the spec asks, so that a create whose state was lost (terraform
// killed after the create) finds the droplet instead of doubling it. The
// error names the attribute "name": the framework's wrapper then adopts
// the droplet when it carries this call's request ID, or reports its ID.
func (p *Provider) nameFree(ctx context.Context, name string) error {
	taken, err := p.FindInstances(ctx, name)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return framework.InvalidConfig("name", fmt.Sprintf("a droplet named %q managed by spuff already exists (ID %s)", name, taken[0].ID))
	}
	return nil
}

// resolveSSHKeys turns key IDs, fingerprints or names into what godo
// sends, so that an unknown key is reported before the droplet is made.
// IDs and fingerprints pass through; names are looked up in the account.
func (p *Provider) resolveSSHKeys(ctx context.Context, refs []string) ([]godo.DropletCreateSSHKey, error) {
	out := make([]godo.DropletCreateSSHKey, 0, len(refs))
	var byName map[string]int
	for _, ref := range refs {
		if id, err := strconv.Atoi(ref); err == nil && id > 0 {
			out = append(out, godo.DropletCreateSSHKey{ID: id})
			continue
		}
		if isFingerprint(ref) {
			out = append(out, godo.DropletCreateSSHKey{Fingerprint: ref})
			continue
		}
		if byName == nil {
			keys, err := p.allKeys(ctx)
			if err != nil {
				return nil, err
			}
			byName = make(map[string]int, len(keys))
			for _, k := range keys {
				byName[k.Name] = k.ID
			}
		}
		id, ok := byName[ref]
		if !ok {
			return nil, framework.InvalidConfig("ssh_keys", fmt.Sprintf("no SSH key with the name, ID or fingerprint %q in this DigitalOcean account", ref))
		}
		out = append(out, godo.DropletCreateSSHKey{ID: id})
	}
	return out, nil
}

// isFingerprint reports an MD5 fingerprint "aa:bb:...": 16 hex pairs.
func isFingerprint(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) != 16 {
		return false
	}
	for _, part := range parts {
		if _, err := strconv.ParseUint(part, 16, 8); err != nil || len(part) != 2 {
			return false
		}
	}
	return true
}

func (p *Provider) allKeys(ctx context.Context) ([]godo.Key, error) {
	return allPages(ctx, p, "ssh keys", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Key, *godo.Response, error) {
		return p.client.Keys.List(ctx, lo)
	})
}

// DestroyInstance deletes a droplet without waiting for it to be gone. One
// that does not exist is not an error; a droplet busy with an action is
// deleted once the action ends, within ctx.
func (p *Provider) DestroyInstance(ctx context.Context, id string) error {
	n, err := parseID("id", id)
	if err != nil {
		return err
	}
	about := subject{Type: "instance", ID: id}
	err = p.whileBusy(ctx, "instance "+id, func(ctx context.Context) error {
		if _, err := p.client.Droplets.Delete(ctx, n); err != nil {
			return fail(ctx, err, about)
		}
		return nil
	})
	if framework.IsNotFound(err) {
		return nil
	}
	return err
}

// whileBusy runs op again while DigitalOcean answers 422 for a pending
// event, bounded by ctx.
func (p *Provider) whileBusy(ctx context.Context, what string, op func(ctx context.Context) error) error {
	return framework.WhileBusy(ctx, framework.DefaultBackoff(p.timeouts.PollInterval), op, func(attempt int, _ error) {
		p.logf(ctx, "resource busy with a pending event, retrying", map[string]any{"provider": providerName, "resource": what, "attempt": attempt})
	})
}

// GetInstance returns the droplet, or (nil, nil) when it does not exist.
func (p *Provider) GetInstance(ctx context.Context, id string) (*framework.Instance, error) {
	d, err := p.droplet(ctx, id)
	if err != nil || d == nil {
		return nil, err
	}
	return dropletToInstance(d), nil
}

// droplet reads a droplet, nil when it does not exist.
func (p *Provider) droplet(ctx context.Context, id string) (*godo.Droplet, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	d, _, err := p.client.Droplets.Get(ctx, n)
	if err != nil {
		err = fail(ctx, err, subject{Type: "instance", ID: id})
		if framework.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return d, nil
}

// ListInstances returns every droplet tagged managed-by:spuff, all pages.
func (p *Provider) ListInstances(ctx context.Context) ([]framework.Instance, error) {
	return p.ListInstancesFiltered(ctx, framework.InstanceFilter{})
}

// ListInstancesFiltered lists the managed droplets carrying all of f's
// labels. DigitalOcean filters by one tag: the managed-by tag, or the
// filter's first label's tag when there is one; the rest is filtered here.
func (p *Provider) ListInstancesFiltered(ctx context.Context, f framework.InstanceFilter) ([]framework.Instance, error) {
	if err := p.ValidateLabels(f.Labels); err != nil {
		return nil, err
	}
	tag := managedTag
	if keys := framework.SortedKeys(f.Labels); len(keys) > 0 {
		tag = labelTag(keys[0], f.Labels[keys[0]])
	}
	droplets, err := p.listByTag(ctx, tag)
	if err != nil {
		return nil, err
	}
	out := make([]framework.Instance, 0, len(droplets))
	for i := range droplets {
		inst := dropletToInstance(&droplets[i])
		if framework.IsManaged(inst.Labels) && matches(inst.Labels, f.Labels) {
			out = append(out, *inst)
		}
	}
	return out, nil
}

func matches(labels, want map[string]string) bool {
	for k, v := range want {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (p *Provider) listByTag(ctx context.Context, tag string) ([]godo.Droplet, error) {
	droplets, err := allPages(ctx, p, "droplets", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return p.client.Droplets.ListByTag(ctx, tag, lo)
	})
	if err == nil && tag == managedTag {
		p.listPages.Store(int64(len(droplets)/listPerPage + 1))
	}
	return droplets, err
}

// FindInstances returns the managed droplets named name (framework.
// InstanceFinder): the list filtered by name on DigitalOcean's side
// (?name=, which does not combine with tag_name), the managed ones kept
// here. Names are not unique on DigitalOcean: the framework tells its own
// by the request-ID label, a tag like the others.
func (p *Provider) FindInstances(ctx context.Context, name string) ([]framework.Instance, error) {
	droplets, err := allPages(ctx, p, "droplets", func(ctx context.Context, lo *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return p.client.Droplets.ListByName(ctx, name, lo)
	})
	if err != nil {
		return nil, err
	}
	out := make([]framework.Instance, 0, len(droplets))
	for i := range droplets {
		inst := dropletToInstance(&droplets[i])
		if inst.Name == name && framework.IsManaged(inst.Labels) {
			out = append(out, *inst)
		}
	}
	return out, nil
}

// SSHKeys returns the names of the account's SSH keys, all pages.
func (p *Provider) SSHKeys(ctx context.Context) ([]string, error) {
	keys, err := p.allKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out, nil
}

// pollBackoff is the framework's backoff capped at PollInterval.
func (p *Provider) pollBackoff() framework.Backoff {
	return framework.DefaultBackoff(p.timeouts.PollInterval)
}
