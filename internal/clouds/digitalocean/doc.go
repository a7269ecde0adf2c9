// Package digitalocean is the DigitalOcean plug-in: framework.Provider over
// github.com/digitalocean/godo. Labels are flat tags ("key:value", "key" for
// an empty value), managed-by=spuff is the server-side tag filter, waits go
// through the framework's watchers, and godo's own retries are off.
package digitalocean
