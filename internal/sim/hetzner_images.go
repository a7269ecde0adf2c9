package sim

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

var imageSortKeys = sortKeys[*image]{
	"id":          func(a, b *image) int { return cmp.Compare(a.ID, b.ID) },
	"name":        func(a, b *image) int { return cmp.Compare(a.Name, b.Name) },
	"description": func(a, b *image) int { return cmp.Compare(a.Description, b.Description) },
	"created":     func(a, b *image) int { return a.Created.Compare(b.Created) },
	"type":        func(a, b *image) int { return cmp.Compare(a.Kind, b.Kind) },
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
		return listPage(c, "images", []*image{}, func(img *image) hzImage { return h.imageJSON(img, c.now) })
	}
	name := c.q.Get("name")
	var imgs []*image
	for _, img := range sortedValues(h.w.images) {
		if (name == "" || img.Name == name) &&
			(len(types) == 0 || slices.Contains(types, img.Kind)) &&
			(len(statuses) == 0 || slices.Contains(statuses, h.w.imageStatus(img, c.now))) &&
			(len(arches) == 0 || slices.Contains(arches, img.Arch)) &&
			(includeDeprecated || img.Deprecated.IsZero()) &&
			sel.matches(img.Labels) {
			imgs = append(imgs, img)
		}
	}
	if err := sortBy(c, imgs, imageSortKeys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "images", imgs, func(img *image) hzImage { return h.imageJSON(img, c.now) })
}

func (h *hetzner) image(c *hzCall) (*image, error) {
	id := c.id["id"]
	img := h.w.images[id]
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
		img.Labels = cloneLabels(*req.Labels)
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
	if h.w.imageBusy(img, c.now) {
		return 0, nil, lockedError("image", img.ID)
	}
	delete(h.w.images, img.ID)
	return http.StatusNoContent, nil, nil
}

var actionSortKeys = sortKeys[*action]{
	"id":       func(a, b *action) int { return cmp.Compare(a.ID, b.ID) },
	"command":  func(a, b *action) int { return cmp.Compare(a.Command, b.Command) },
	"started":  func(a, b *action) int { return a.Started.Compare(b.Started) },
	"finished": func(a, b *action) int { return a.Finish.Compare(b.Finish) },
}

// listActionsWhere serves every action list: /actions (ids required, as in
// the real API since 2025), /servers/actions, /images/actions and the
// per-resource lists. Unknown IDs are simply absent from the answer, which is
// how hcloud-go's WaitFor detects them.
func (h *hetzner) listActionsWhere(c *hzCall, idsRequired bool, keep func(*action) bool) (int, any, error) {
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
	var as []*action
	for _, a := range sortedValues(h.w.actions) {
		if (len(ids) == 0 || slices.Contains(ids, a.ID)) &&
			(len(statuses) == 0 || slices.Contains(statuses, a.status(c.now))) &&
			keep(a) {
			as = append(as, a)
		}
	}
	// Status and progress depend on the clock, so they can't live in the
	// static key table.
	keys := maps.Clone(actionSortKeys)
	keys["status"] = func(a, b *action) int { return cmp.Compare(a.status(c.now), b.status(c.now)) }
	keys["progress"] = func(a, b *action) int { return cmp.Compare(a.progress(c.now), b.progress(c.now)) }
	if err := sortBy(c, as, keys); err != nil {
		return 0, nil, err
	}
	return listPage(c, "actions", as, func(a *action) hzAction { return h.actionJSON(a, c.now) })
}

// getActionWhere answers a single action if it exists and keep accepts it.
func (h *hetzner) getActionWhere(c *hzCall, keep func(*action) bool) (int, any, error) {
	id := c.id["action_id"]
	a := h.w.actions[id]
	if a == nil || !keep(a) {
		return 0, nil, notFound("action", id)
	}
	return http.StatusOK, one("action", h.actionJSON(a, c.now)), nil
}

func anyAction(*action) bool { return true }

func touchesType(typ string) func(*action) bool {
	return func(a *action) bool {
		return slices.ContainsFunc(a.Resources, func(r resourceRef) bool { return r.Type == typ })
	}
}

func (h *hetzner) listActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, true, anyAction)
}

func (h *hetzner) getAction(c *hzCall) (int, any, error) { return h.getActionWhere(c, anyAction) }

func (h *hetzner) listServersActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, false, touchesType("server"))
}

func (h *hetzner) getServersAction(c *hzCall) (int, any, error) {
	return h.getActionWhere(c, touchesType("server"))
}

func (h *hetzner) listImagesActions(c *hzCall) (int, any, error) {
	return h.listActionsWhere(c, false, touchesType("image"))
}

func (h *hetzner) getImagesAction(c *hzCall) (int, any, error) {
	return h.getActionWhere(c, touchesType("image"))
}

func (h *hetzner) listServerActions(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	return h.listActionsWhere(c, false, func(a *action) bool { return a.touches("server", m.ID) })
}

func (h *hetzner) getServerAction(c *hzCall) (int, any, error) {
	m, err := h.server(c)
	if err != nil {
		return 0, nil, err
	}
	return h.getActionWhere(c, func(a *action) bool { return a.touches("server", m.ID) })
}

func (h *hetzner) listImageActions(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	return h.listActionsWhere(c, false, func(a *action) bool { return a.touches("image", img.ID) })
}

func (h *hetzner) getImageAction(c *hzCall) (int, any, error) {
	img, err := h.image(c)
	if err != nil {
		return 0, nil, err
	}
	return h.getActionWhere(c, func(a *action) bool { return a.touches("image", img.ID) })
}
