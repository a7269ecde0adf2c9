package frontend

import (
	"net/http"
	"strconv"
	"strings"
)

// Router matches "METHOD /path/{param}" patterns. Parameters match positive
// decimal IDs only, so "/v1/servers/actions" can never be taken for a server
// ID and a malformed ID is simply an unknown route (404). It is a tiny
// hand-rolled router because the front ends need to tell 404 from 405 and
// answer both in their own error format, which http.ServeMux can't do.
type Router[H any] struct {
	routes []route[H]
}

type route[H any] struct {
	method  string
	pattern string
	segs    []string
	handler H
}

// Handle adds a route.
func (rt *Router[H]) Handle(method, pattern string, h H) {
	rt.routes = append(rt.routes, route[H]{method, pattern, strings.Split(pattern, "/"), h})
}

// Match finds the route for a request. status is 0 on a match, 404 when no
// route has the path and 405 when only other methods do. key names the
// route for request counting, e.g. "GET /v1/servers/{id}".
func (rt *Router[H]) Match(method, path string) (h H, params map[string]int64, key string, status int) {
	segs := strings.Split(path, "/")
	status = http.StatusNotFound
	key = method + " (no route)"
	for _, r := range rt.routes {
		p, ok := matchSegs(r.segs, segs)
		if !ok {
			continue
		}
		if r.method != method {
			status = http.StatusMethodNotAllowed
			key = method + " " + r.pattern
			continue
		}
		return r.handler, p, method + " " + r.pattern, 0
	}
	return h, nil, key, status
}

func matchSegs(pattern, path []string) (map[string]int64, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	var params map[string]int64
	for i, p := range pattern {
		name, isParam := strings.CutPrefix(p, "{")
		if !isParam {
			if p != path[i] {
				return nil, false
			}
			continue
		}
		id, err := strconv.ParseInt(path[i], 10, 64)
		if err != nil || id <= 0 || strings.HasPrefix(path[i], "+") {
			return nil, false
		}
		if params == nil {
			params = map[string]int64{}
		}
		params[strings.TrimSuffix(name, "}")] = id
	}
	return params, true
}
