package ec2sim

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"time"
)

// node is an XML element: text or children. The answers are built as trees
// of nodes rather than tagged structs because EC2's shapes nest lists in
// <item> elements everywhere.
type node struct {
	name string
	attr string // raw attributes of the root
	text string
	leaf bool
	kids []*node
}

// el is an element with children; nil children are left out.
func el(name string, kids ...*node) *node {
	n := &node{name: name}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// tx is an element with text.
func tx(name, v string) *node { return &node{name: name, text: v, leaf: true} }

// opt is tx, or nothing when v is empty.
func opt(name, v string) *node {
	if v == "" {
		return nil
	}
	return tx(name, v)
}

func tb(name string, v bool) *node { return tx(name, strconv.FormatBool(v)) }
func ti(name string, v int) *node  { return tx(name, strconv.Itoa(v)) }

// tt is a time the way EC2 writes them: UTC with milliseconds.
func tt(name string, t time.Time) *node { return tx(name, timestamp(t)) }

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// items is a list: <name><item>...</item>...</name>, each of items an
// "item" element.
func items(name string, list []*node) *node { return el(name, list...) }

// item is one list entry.
func item(kids ...*node) *node { return el("item", kids...) }

// strItems is a list of strings: <name><item>v</item>...</name>.
func strItems(name string, vs ...string) *node {
	n := el(name)
	for _, v := range vs {
		n.kids = append(n.kids, tx("item", v))
	}
	return n
}

func (n *node) write(b *bytes.Buffer) {
	b.WriteByte('<')
	b.WriteString(n.name)
	if n.attr != "" {
		b.WriteByte(' ')
		b.WriteString(n.attr)
	}
	if !n.leaf && len(n.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	if n.leaf {
		if n.text == ridPlaceholder {
			b.WriteString(n.text) // replaced by Handler
		} else {
			_ = xml.EscapeText(b, []byte(n.text))
		}
	}
	for _, k := range n.kids {
		k.write(b)
	}
	b.WriteString("</")
	b.WriteString(n.name)
	b.WriteByte('>')
}
