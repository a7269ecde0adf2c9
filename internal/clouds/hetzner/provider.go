package hetzner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hetznercloud/hcloud-go/v2/hcloud"

	"github.com/spuff/terraform-provider-spuff/internal/framework"
)

// hcloud-go's own retries are off: every call goes through the framework's
// one retry policy (framework.WithRetry, applied by the registry), which
// also makes creates idempotent. Two layers would multiply attempts.
const sdkMaxRetries = 0

// Provider is the Hetzner Cloud implementation of framework.Provider. It
// also implements framework.SnapshotGetter, RequestValidator,
// InstanceFinder and SnapshotStarter.
type Provider struct {
	// Defaults supplies SupportsSnapshots (true); SSHKeys is overridden.
	framework.Defaults

	client   *hcloud.Client
	timeouts framework.Timeouts
	log      framework.LogFunc // may be nil

	// retry is the framework's policy, used here only to retry single
	// pages of a list (see allPages); whole calls are retried by the
	// registry's framework.WithRetry.
	retry framework.RetryPolicy

	// creates remembers the actions of the servers this process created;
	// watcher follows them for every WaitReady at once.
	creates pending
	watcher *framework.Watcher[[]int64]
	// actions follows the actions of snapshots and updates.
	actions *framework.Watcher[[]int64]
	// gone confirms deletes, sharing one poll among all (see gone.go).
	gone *framework.Watcher[struct{}]
	// deleting holds the delete action of each server this process
	// deleted, by ID, until WaitGone takes it: the action says when the
	// server is gone, through the shared action watcher.
	deleting  sync.Map
	listPages atomic.Int64 // pages of the last list of managed servers
}

var (
	_ framework.Provider         = (*Provider)(nil)
	_ framework.SnapshotGetter   = (*Provider)(nil)
	_ framework.RequestValidator = (*Provider)(nil)
	_ framework.InstanceFinder   = (*Provider)(nil)
	_ framework.SnapshotStarter  = (*Provider)(nil)
)

// New validates cfg and builds a Hetzner provider. It calls no API: a bad
// token shows on the first call.
func New(cfg framework.Config) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: cfg.Timeouts.HTTPRequest}
	}
	app := "spuff"
	if cfg.UserAgent != "" {
		app = cfg.UserAgent
	}
	clientOpts := []hcloud.ClientOption{
		hcloud.WithToken(cfg.Token),
		hcloud.WithApplication(app, ""),
		hcloud.WithHTTPClient(httpClient),
		hcloud.WithPollOpts(hcloud.PollOpts{BackoffFunc: pollBackoff(cfg.Timeouts.PollInterval)}),
		hcloud.WithRetryOpts(hcloud.RetryOpts{BackoffFunc: hcloud.ConstantBackoff(0), MaxRetries: sdkMaxRetries}),
	}
	if cfg.Endpoint != "" {
		clientOpts = append(clientOpts, hcloud.WithEndpoint(cfg.Endpoint))
	}
	p := &Provider{
		client:   hcloud.NewClient(clientOpts...),
		timeouts: cfg.Timeouts,
		log:      cfg.Log,
		retry:    framework.DefaultRetryPolicy(),
	}
	if cfg.Retry != nil {
		p.retry = *cfg.Retry
	}
	p.watcher = newReadyWatcher(p)
	p.actions = newActionWatcher(p)
	p.gone = framework.GoneWatcher(p.pollGone, p.timeouts, p.log, map[string]any{"provider": providerName})
	return p, nil
}

// pollBackoff polls cloud actions the way the framework's waits poll
// machines: densely at first (500 ms, x1.5), capped at PollInterval, with
// jitter. hcloud-go's default is a constant 500 ms, which costs a request
// every half second for the minutes a snapshot can take.
func pollBackoff(pollInterval time.Duration) hcloud.BackoffFunc {
	b := framework.DefaultBackoff(pollInterval)
	return b.Jittered
}

// logf sends a log line to the configured sink, if any. Fields never carry
// the token or user data.
func (p *Provider) logf(ctx context.Context, msg string, fields map[string]any) {
	if p.log != nil {
		p.log(ctx, msg, fields)
	}
}

// Name returns "hetzner".
func (p *Provider) Name() string { return providerName }

// fail maps err, except that when ctx has ended the context's own error is
// returned: the SDK's error then only restates it, with a URL.
func fail(ctx context.Context, err error, about subject) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return mapError(err, about)
}

// CreateInstance creates a server and returns at once, without waiting for
// its create/start actions: use WaitReady.
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
	res, _, err := p.client.Server.Create(ctx, hcloud.ServerCreateOpts{
		Name:       req.Name,
		ServerType: &hcloud.ServerType{Name: req.Size},
		Image:      image,
		Location:   &hcloud.Location{Name: req.Region},
		SSHKeys:    keys,
		UserData:   req.UserData, // raw: the API takes cloud-init as is
		Labels:     cloneLabels(req.Labels),
	})
	if err != nil {
		if ctx.Err() == nil {
			if named := notFoundOnCreate(err); named != nil {
				return nil, named
			}
		}
		return nil, fail(ctx, err, subject{})
	}
	if res.Server == nil {
		return nil, framework.API(0, "the create answer carried no server")
	}
	p.creates.put(res.Server.ID, res)
	return serverToInstance(res.Server), nil
}

// resolveSSHKeys turns key names or IDs into the IDs hcloud-go sends, so
// that an unknown key is reported as such before the server is created.
func (p *Provider) resolveSSHKeys(ctx context.Context, namesOrIDs []string) ([]*hcloud.SSHKey, error) {
	keys := make([]*hcloud.SSHKey, 0, len(namesOrIDs))
	for _, k := range namesOrIDs {
		key, _, err := p.client.SSHKey.Get(ctx, k)
		if err != nil {
			return nil, fail(ctx, err, subject{Type: "ssh_key", ID: k})
		}
		if key == nil {
			return nil, framework.InvalidConfig("ssh_keys", fmt.Sprintf("no SSH key with the name or ID %q in this Hetzner project", k))
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// DestroyInstance deletes a server without waiting for it to be gone. A
// server that does not exist is not an error. It does not check the
// managed-by label: the Terraform layer reads the server first.
func (p *Provider) DestroyInstance(ctx context.Context, id string) error {
	n, err := parseID("id", id)
	if err != nil {
		return err
	}
	about := subject{Type: "instance", ID: id}
	err = p.whileBusy(ctx, "instance "+id, func(ctx context.Context) error {
		res, _, err := p.client.Server.DeleteWithResult(ctx, &hcloud.Server{ID: n})
		if err != nil {
			return fail(ctx, err, about)
		}
		if res != nil && res.Action != nil {
			p.deleting.Store(id, res.Action)
		}
		return nil
	})
	if framework.IsNotFound(err) {
		return nil
	}
	return err
}

// whileBusy runs op again while the cloud answers 423 locked (a
// framework.BusyError): another action (typically a snapshot still being
// taken) runs on the resource, and the call will be accepted once it ends.
// The caller's ctx bounds the wait, so the resource's delete or update
// timeout is what limits it.
func (p *Provider) whileBusy(ctx context.Context, what string, op func(ctx context.Context) error) error {
	return framework.WhileBusy(ctx, framework.DefaultBackoff(p.timeouts.PollInterval), op, func(attempt int, _ error) {
		p.logf(ctx, "resource locked by a running action, retrying", map[string]any{"resource": what, "attempt": attempt})
	})
}

// GetInstance returns the server, or (nil, nil) when it does not exist.
func (p *Provider) GetInstance(ctx context.Context, id string) (*framework.Instance, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	s, _, err := p.client.Server.GetByID(ctx, n)
	if err != nil {
		return nil, fail(ctx, err, subject{Type: "instance", ID: id})
	}
	if s == nil {
		return nil, nil
	}
	return serverToInstance(s), nil
}

// managedSelector selects what spuff created.
const managedSelector = framework.ManagedByKey + "=" + framework.ManagedByValue

// ListInstances returns every server labeled managed-by=spuff, across all
// pages; the cloud does the filtering.
func (p *Provider) ListInstances(ctx context.Context) ([]framework.Instance, error) {
	return p.ListInstancesFiltered(ctx, framework.InstanceFilter{})
}

// ListInstancesFiltered lists the managed servers carrying all of f's
// labels: the label selector does the filtering on Hetzner's side
// (framework.FilteringLister). Label keys and values are checked by
// ValidateLabels first, so they cannot break the selector's syntax.
func (p *Provider) ListInstancesFiltered(ctx context.Context, f framework.InstanceFilter) ([]framework.Instance, error) {
	if err := validateLabels(f.Labels); err != nil {
		return nil, err
	}
	selector := managedSelector
	for _, k := range framework.SortedKeys(f.Labels) {
		selector += "," + k + "=" + f.Labels[k]
	}
	servers, err := allPages(ctx, p, "servers", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Server, *hcloud.Response, error) {
		lo.LabelSelector = selector
		return p.client.Server.List(ctx, hcloud.ServerListOpts{ListOpts: lo})
	})
	if err != nil {
		return nil, err
	}
	if len(f.Labels) == 0 {
		// What a list of every managed server costs, for pollGone.
		p.listPages.Store(int64(len(servers)/listPerPage + 1))
	}
	out := make([]framework.Instance, 0, len(servers))
	for _, s := range servers {
		out = append(out, *serverToInstance(s))
	}
	return out, nil
}

// WaitReady waits until the server is running with a public IPv4, bounded
// by Timeouts.InstanceReady and ctx. A server this process created is
// followed through its create actions by the shared watcher (see
// watch.go), then read once; any other is polled with the framework's
// backoff.
func (p *Provider) WaitReady(ctx context.Context, id string) (*framework.Instance, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeouts.InstanceReady)
	defer cancel()
	if c, ok := p.creates.take(n); ok {
		err := p.waitCreated(ctx, n, c)
		switch {
		case err == nil && c.started && c.created.HasIP():
			// Created and started: running, at the address it was created
			// with. No read needed.
			inst := *c.created
			inst.Status = framework.ParseStatus(string(hcloud.ServerStatusRunning))
			p.logf(ctx, "server ready", map[string]any{"provider": providerName, "id": id, "ip": inst.IP.String()})
			return &inst, nil
		case err == nil:
			// Without an address from the create answer, or not started:
			// poll it like any other.
		case errors.Is(err, errUnwatchable):
		default:
			return nil, err
		}
	}
	poll := func(ctx context.Context) (*framework.Instance, error) { return p.GetInstance(ctx, id) }
	progress := func(attempt int, inst *framework.Instance, err error) {
		fields := map[string]any{"provider": providerName, "id": id, "attempt": attempt}
		switch {
		case err != nil:
			fields["error"] = err.Error()
		case inst == nil:
			fields["status"] = "not found"
		default:
			fields["status"] = inst.Status.String()
			fields["ip"] = inst.IP.String()
		}
		p.logf(ctx, "waiting for server to be ready", fields)
	}
	return framework.WaitReady(ctx, id, poll, p.timeouts, progress)
}

// CreateSnapshot takes a snapshot image of the server, labeled
// managed-by=spuff, and waits for its create_image action, bounded by
// Timeouts.ActionComplete. When the wait fails the image exists: the error
// is an IncompleteError carrying its ID.
func (p *Provider) CreateSnapshot(ctx context.Context, instanceID, name string) (*framework.Snapshot, error) {
	snap, action, err := p.startImage(ctx, instanceID, name, nil)
	if err != nil {
		return nil, err
	}
	if err := p.waitAction(ctx, action, "snapshot "+snap.ID); err != nil {
		return nil, &framework.IncompleteError{ResourceType: "snapshot", ID: snap.ID, Err: err}
	}
	return snap, nil
}

// StartSnapshot starts a snapshot image with labels plus managed-by=spuff
// and returns at once, its status "creating" (framework.SnapshotStarter).
func (p *Provider) StartSnapshot(ctx context.Context, instanceID, name string, labels map[string]string) (*framework.Snapshot, error) {
	snap, _, err := p.startImage(ctx, instanceID, name, labels)
	return snap, err
}

func (p *Provider) startImage(ctx context.Context, instanceID, name string, labels map[string]string) (*framework.Snapshot, *hcloud.Action, error) {
	n, err := parseID("instance_id", instanceID)
	if err != nil {
		return nil, nil, err
	}
	res, _, err := p.client.Server.CreateImage(ctx, &hcloud.Server{ID: n}, &hcloud.ServerCreateImageOpts{
		Type:        hcloud.ImageTypeSnapshot,
		Description: hcloud.Ptr(name),
		Labels:      framework.ManagedLabels(labels),
	})
	if err != nil {
		return nil, nil, fail(ctx, err, subject{Type: "instance", ID: instanceID})
	}
	if res.Image == nil {
		return nil, nil, framework.API(0, "the create_image answer carried no image")
	}
	snap := imageToSnapshot(res.Image)
	if snap.InstanceID == "" {
		snap.InstanceID = instanceID
	}
	return snap, res.Action, nil
}

// imageStatusUnavailable is the API's status of a failed image; hcloud-go
// has no constant for it.
const imageStatusUnavailable hcloud.ImageStatus = "unavailable"

// WaitSnapshot polls the image until it is available, bounded by
// Timeouts.ActionComplete (framework.SnapshotStarter). It polls the image,
// not its action, because a snapshot adopted after a lost answer comes
// without one. Transient errors are polled through.
func (p *Provider) WaitSnapshot(ctx context.Context, id string) (*framework.Snapshot, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	img, err := framework.WaitFor(ctx, func(ctx context.Context) (*hcloud.Image, error) {
		img, _, err := p.client.Image.GetByID(ctx, n)
		if err != nil {
			return nil, fail(ctx, err, subject{Type: "snapshot", ID: id})
		}
		return img, nil
	}, func(img *hcloud.Image) (bool, error) {
		switch {
		case img == nil:
			return false, framework.NotFound("snapshot", id)
		case img.Status == imageStatusUnavailable:
			return false, framework.API(0, fmt.Sprintf("snapshot %s failed: the image is unavailable", id))
		}
		return img.Status == hcloud.ImageStatusAvailable, nil
	}, framework.WaitOptions[hcloud.Image]{
		Operation: "waiting for snapshot " + id,
		Timeout:   p.timeouts.ActionComplete,
		Backoff:   framework.DefaultBackoff(p.timeouts.PollInterval),
		Progress: func(attempt int, img *hcloud.Image, err error) {
			fields := map[string]any{"provider": providerName, "id": id, "attempt": attempt}
			if err != nil {
				fields["error"] = err.Error()
			} else if img != nil {
				fields["status"] = string(img.Status)
			}
			p.logf(ctx, "waiting for snapshot", fields)
		},
	})
	if err != nil {
		return nil, err
	}
	return imageToSnapshot(img), nil
}

// FindInstances returns the managed servers named name: names are unique
// per project, so at most one (framework.InstanceFinder).
func (p *Provider) FindInstances(ctx context.Context, name string) ([]framework.Instance, error) {
	servers, err := allPages(ctx, p, "servers by name", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Server, *hcloud.Response, error) {
		lo.LabelSelector = managedSelector
		return p.client.Server.List(ctx, hcloud.ServerListOpts{ListOpts: lo, Name: name})
	})
	if err != nil {
		return nil, err
	}
	out := make([]framework.Instance, 0, len(servers))
	for _, s := range servers {
		out = append(out, *serverToInstance(s))
	}
	return out, nil
}

// waitAction waits for a cloud action, bounded by Timeouts.ActionComplete,
// through the shared action watcher (see watch.go): the actions of
// concurrent snapshots and updates are polled together. what names the
// action's resource in logs and errors.
func (p *Provider) waitAction(ctx context.Context, action *hcloud.Action, what string) error {
	if action == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, p.timeouts.ActionComplete)
	defer cancel()
	err := p.actions.Wait(wctx, framework.Watch[[]int64]{
		Key: strconv.FormatInt(action.ID, 10), Handle: []int64{action.ID}, FirstLook: firstLook,
		Operation: fmt.Sprintf("waiting for %s (%s action %d)", what, action.Command, action.ID),
	})
	if err != nil && ctx.Err() != nil {
		// The caller ended the wait: say so as is.
		return ctx.Err()
	}
	return err
}

// ListSnapshots returns every snapshot image labeled managed-by=spuff,
// across all pages.
func (p *Provider) ListSnapshots(ctx context.Context) ([]framework.Snapshot, error) {
	images, err := allPages(ctx, p, "snapshots", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.Image, *hcloud.Response, error) {
		lo.LabelSelector = managedSelector
		return p.client.Image.List(ctx, hcloud.ImageListOpts{ListOpts: lo, Type: []hcloud.ImageType{hcloud.ImageTypeSnapshot}})
	})
	if err != nil {
		return nil, err
	}
	out := make([]framework.Snapshot, 0, len(images))
	for _, img := range images {
		out = append(out, *imageToSnapshot(img))
	}
	return out, nil
}

// GetSnapshot returns the snapshot, or (nil, nil) when no image has that ID
// or the image is not a snapshot (a system image or a backup).
func (p *Provider) GetSnapshot(ctx context.Context, id string) (*framework.Snapshot, error) {
	img, err := p.snapshotImage(ctx, id)
	if err != nil || img == nil {
		return nil, err
	}
	return imageToSnapshot(img), nil
}

// snapshotImage reads the snapshot image, or nil when no image has that ID
// or the image is not a snapshot.
func (p *Provider) snapshotImage(ctx context.Context, id string) (*hcloud.Image, error) {
	n, err := parseID("id", id)
	if err != nil {
		return nil, err
	}
	img, _, err := p.client.Image.GetByID(ctx, n)
	if err != nil {
		return nil, fail(ctx, err, subject{Type: "snapshot", ID: id})
	}
	if img == nil || img.Type != hcloud.ImageTypeSnapshot {
		return nil, nil
	}
	return img, nil
}

// DeleteSnapshot deletes a snapshot image; one that does not exist is not
// an error.
func (p *Provider) DeleteSnapshot(ctx context.Context, id string) error {
	n, err := parseID("id", id)
	if err != nil {
		return err
	}
	about := subject{Type: "snapshot", ID: id}
	err = p.whileBusy(ctx, "snapshot "+id, func(ctx context.Context) error {
		if _, err := p.client.Image.Delete(ctx, &hcloud.Image{ID: n}); err != nil {
			return fail(ctx, err, about)
		}
		return nil
	})
	if framework.IsNotFound(err) {
		return nil
	}
	return err
}

// SSHKeys returns the names of the project's SSH keys, across all pages.
// Names are what users write in Terraform; CreateInstance accepts both.
func (p *Provider) SSHKeys(ctx context.Context) ([]string, error) {
	keys, err := allPages(ctx, p, "SSH keys", func(ctx context.Context, lo hcloud.ListOpts) ([]*hcloud.SSHKey, *hcloud.Response, error) {
		return p.client.SSHKey.List(ctx, hcloud.SSHKeyListOpts{ListOpts: lo})
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out, nil
}
