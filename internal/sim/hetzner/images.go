package hetzner

import (
	"github.com/spuff/terraform-provider-spuff/internal/sim/world"

	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

var imageSortKeys = sortKeys[*world.Image]{
	"id":          func(a, b *world.Image) int { return cmp.Compare(a.ID, b.ID) },
	"name":        func(a, b *world.Image) int { return cmp.Compare(a.Name, b.Name) },
	"description": func(a, b *world.Image) int { return cmp.Compare(a.Description, b.Description) },
	"created":     func(a, b *world.Image) int { return a.Created.Compare(b.Created) },
	"type":        func(a, b *world.Image) int { return cmp.Compare(a.Kind, b.Kind) },
}

func (h *hetzner) listImages(c *hzCall) (int, any, error) {
	sel, err := c.selector()
	if err != nil {
		return 0, nil, err
	}
	types, err := c.oneOf("type", "system", "app", "snapshot", "backup")
	if err != nil {
		return 0, nil, err
	}
	statuses, err := c.oneOf("status", "available", "creating", "unavailable")
	if err != nil {
		return 0, nil, err
	}
	arches, err := c.oneOf("architecture", "x86", "arm")
	if err != nil {
		return 0, nil, err
	}
	includeDeprecated := false
	if s := c.q.Get("include_deprecated"); s != "" {
		if includeDeprecated, err = strconv.ParseBool(s); err != nil {
			return 0, nil, badQuery("include_deprecated", "must be true or false")
		}
	}
	if s := c.q.Get("bound_to"); s != "" {
		// Only backups are bound to a server, and the simulator makes none.
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return 0, nil, badQuery("bound_to", "%q is not a valid ID", s)
		}
		return listPage(c, "images", []*world.Image{}, func(img *world.Image) hzImage { return h.imageJSON(img, c.now) })
	}
	name := c.q.Get("name")
	var imgs []*world.Image
	for _, img := range h.w.ImagesOf(Name, c.now) {
		if (name == "" || img.Name == name) &&
			(len(types) == 0 || slices.Contains(types, img.Kind)) &&
			(len(statuses) == 0 || slices.Contains(statuses, h.imageStatus(img, c.now))) &&
			(len(arches) == 0 || slices.Contains(arches, img.Arch)) &&
			(includeDeprecated || img.Deprecated.IsZero()) &&
			sel.matches(img.Labels) {
			imgs = append(imgs, img)
		}
	}
	if err := sortBy(c, imgs, imageSortKeys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "images", imgs, func(img *world.Image) hzImage { return h.imageJSON(img, c.now) })
}

func (h *hetzner) image(c *hzCall) (*world.Image, error) {
	id := c.id["id"]
	img := h.w.ImageOf(Name, id, c.now)
	if img == nil {
		return nil, notFound("image", id)
	}
	return img, nil
}

func (h *hetzner) getImage(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("image", h.imageJSON(img, c.now)), nil
}

type hzImageUpdateRequest struct {
	Description *string            `json:"description"`
	Type        *string            `json:"type"`
	Labels      *map[string]string `json:"labels"`
}

func (h *hetzner) updateImage(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	var req hzImageUpdateRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if img.Kind == "system" {
		return 0, nil, &hzError{status: http.StatusForbidden, code: "forbidden", message: "system images cannot be modified"}
	}
	// The only conversion the API offers is backup -> snapshot.
	if req.Type != nil && *req.Type != "snapshot" {
		return 0, nil, invalidInput("type", "can only be changed to snapshot")
	}
	if req.Labels != nil {
		if msg := checkLabels(*req.Labels); msg != "" {
			return 0, nil, invalidInput("labels", "%s", msg)
		}
		img.Labels = world.CloneLabels(*req.Labels)
	}
	if req.Description != nil {
		img.Description = *req.Description
	}
	return http.StatusOK, one("image", h.imageJSON(img, c.now)), nil
}

func (h *hetzner) deleteImage(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	if img.Kind == "system" {
		return 0, nil, &hzError{status: http.StatusForbidden, code: "forbidden", message: "system images cannot be deleted"}
	}
	if h.w.ImageBusy(img, c.now) {
		return 0, nil, lockedError("image", img.ID)
	}
	delete(h.w.Images, img.ID)
	return http.StatusNoContent, nil, nil
}

var actionSortKeys = sortKeys[*world.Action]{
	"id":       func(a, b *world.Action) int { return cmp.Compare(a.ID, b.ID) },
	"command":  func(a, b *world.Action) int { return cmp.Compare(commands[a.Kind], commands[b.Kind]) },
	"started":  func(a, b *world.Action) int { return a.Started.Compare(b.Started) },
	"finished": func(a, b *world.Action) int { return a.Finish.Compare(b.Finish) },
}

// listActionsWhere serves every action list: /actions (ids required, as in
// the real API since 2025), /servers/actions, /images/actions and the
// per-resource lists. Unknown IDs are simply absent from the answer, which is
// how hcloud-go's WaitFor detects them.
func (h *hetzner) listActionsWhere(c *hzCall, idsRequired bool, keep func(*world.Action) bool) (int, any, error) {
	ids, err := c.ids()
	if err != nil {
		return 0, nil, err
	}
	if idsRequired && len(ids) == 0 {
		return 0, nil, badQuery("id", "is required")
	}
	statuses, err := c.oneOf("status", actionRunning, actionSuccess, actionError)
	if err != nil {
		return 0, nil, err
	}
	var as []*world.Action
	for _, a := range h.w.ActionsOf(Name) {
		if (len(ids) == 0 || slices.Contains(ids, a.ID)) &&
			(len(statuses) == 0 || slices.Contains(statuses, actionStatus(a, c.now))) &&
			keep(a) {
			as = append(as, a)
		}
	}
	// Status and progress depend on the clock, so they can't live in the
	// static key table.
	keys := maps.Clone(actionSortKeys)
	keys["status"] = func(a, b *world.Action) int { return cmp.Compare(actionStatus(a, c.now), actionStatus(b, c.now)) }
	keys["progress"] = func(a, b *world.Action) int { return cmp.Compare(a.Progress(c.now), b.Progress(c.now)) }
	if err := sortBy(c, as, keys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "actions", as, func(a *world.Action) hzAction { return h.actionJSON(a, c.now) })
}

// getActionWhere answers a single action if it exists and keep accepts it.
func (h *hetzner) getActionWhere(c *hzCall, keep func(*world.Action) bool) (int, any, error) {
	id := c.id["action_id"]
	a := h.w.ActionOf(Name, id)
	if a == nil || !keep(a) {
		return 0, nil, notFound("action", id)
	}
	return http.StatusOK, one("action", h.actionJSON(a, c.now)), nil
}

func anyAction(*world.Action) bool { return true }

func touchesType(typ world.RefType) func(*world.Action) bool {
	return func(a *world.Action) bool {
		return slices.ContainsFunc(a.Resources, func(r world.Ref) bool { return r.Type == typ })
	}
}

func (h *hetzner) listActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, true, anyAction)
}

func (h *hetzner) getAction(c *hzCall) (int, any, error) { return h.getActionWhere(c, anyAction) }

func (h *hetzner) listServersActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, false, touchesType(world.RefMachine))
}

func (h *hetzner) getServersAction(c *hzCall) (int, any, error) {
	return h.getActionWhere(c, touchesType(world.RefMachine))
}

func (h *hetzner) listImagesActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, false, touchesType(world.RefImage))
}

func (h *hetzner) getImagesAction(c *hzCall) (int, any, error) {
	return h.getActionWhere(c, touchesType(world.RefImage))
}

func (h *hetzner) listServerActions(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	return h.listActionsWhere(c, false, func(a *world.Action) bool { return a.Touches(world.RefMachine, m.ID) })
}

func (h *hetzner) getServerAction(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	return h.getActionWhere(c, func(a *world.Action) bool { return a.Touches(world.RefMachine, m.ID) })
}

func (h *hetzner) listImageActions(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	return h.listActionsWhere(c, false, func(a *world.Action) bool { return a.Touches(world.RefImage, img.ID) })
}

func (h *hetzner) getImageAction(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	return h.getActionWhere(c, func(a *world.Action) bool { return a.Touches(world.RefImage, img.ID) })
}
