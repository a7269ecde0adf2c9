package digitalocean

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/spuff/terraform-provider-spuff/internal/sim/world"
)

type keyJSON struct {
	ID          int64  `json:"id"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	Name        string `json:"name"`
}

func keyToJSON(k *world.SSHKey) keyJSON {
	return keyJSON{ID: k.ID, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, Name: k.Name}
}

// keyByRef finds a key by ID or by fingerprint, as /v2/account/keys/{ref}
// takes either.
func (d *do) keyByRef(ref string) *world.SSHKey {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return d.w.SSHKeyOf(Name, id)
	}
	return d.w.SSHKeyByFingerprint(Name, ref)
}

// resolveKeyRef reads a droplet create's ssh_keys entry: an ID (number)
// or a fingerprint (string).
func (d *do) resolveKeyRef(raw json.RawMessage) *world.SSHKey {
	var id int64
	if json.Unmarshal(raw, &id) == nil {
		return d.w.SSHKeyOf(Name, id)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	return d.keyByRef(s)
}

func (d *do) listKeys(c *call) (int, any, error) {
	return list(c, "ssh_keys", d.w.SSHKeysOf(Name), keyToJSON)
}

type keyRequest struct {
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
}

// createKey is POST /v2/account/keys: 201. A key already in the account
// (same fingerprint) is refused with 422.
func (d *do) createKey(c *call) (int, any, error) {
	var req keyRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Name == "" {
		return 0, nil, unprocessable("Name is required")
	}
	fp, err := world.ParsePublicKey(req.PublicKey)
	if err != nil {
		return 0, nil, unprocessable("Key invalid, type not supported or key data malformed: " + err.Error())
	}
	if d.w.SSHKeyByFingerprint(Name, fp) != nil {
		return 0, nil, unprocessable("SSH Key is already in use on your account")
	}
	k := &world.SSHKey{ID: d.w.NewID(), Cloud: Name, Name: req.Name, Fingerprint: fp, PublicKey: req.PublicKey,
		Labels: map[string]string{}, Created: c.Now}
	d.w.SSHKeys[k.ID] = k
	return http.StatusCreated, one("ssh_key", keyToJSON(k)), nil
}

func (d *do) key(c *call) (*world.SSHKey, error) {
	k := d.keyByRef(c.p["key"])
	if k == nil {
		return nil, notFound()
	}
	return k, nil
}

func (d *do) getKey(c *call) (int, any, error) {
	k, err := d.key(c)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, one("ssh_key", keyToJSON(k)), nil
}

func (d *do) updateKey(c *call) (int, any, error) {
	k, err := d.key(c)
	if err != nil {
		return 0, nil, err
	}
	var req keyRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if req.Name != "" {
		k.Name = req.Name
	}
	return http.StatusOK, one("ssh_key", keyToJSON(k)), nil
}

func (d *do) deleteKey(c *call) (int, any, error) {
	k, err := d.key(c)
	if err != nil {
		return 0, nil, err
	}
	delete(d.w.SSHKeys, k.ID)
	return http.StatusNoContent, nil, nil
}
