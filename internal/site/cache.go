package site

import (
	"sync"
	"sync/atomic"
	"time"

	"plenary/internal/domain"
)

// pageCache keeps meetings read from PostgreSQL and the pages rendered for visitors until the
// meeting changes. The app tells it of changes two ways: PostgreSQL's notifications (LISTEN
// meeting_changed, sent in the same transaction as every change, so every server instance hears
// it at once) and readings of every meeting's version (see versions), which find what a
// notification missed, or everything when there are none. It is off until the first reading:
// before that nothing may be cached.
//
// Apart from it, lastGood keeps the last page rendered for each address, whatever has changed
// since, to be served only while the database cannot be reached.
type pageCache struct {
	enabled atomic.Bool
	mu      sync.RWMutex
	gen     uint64
	details map[string]*domain.MeetingDetail
	ids     map[string]int64 // meetings' ids, for actions that need no more
	pages   map[pageKey][]byte
	bucket  time.Time
	// known is every meeting's version at the last reading (nil before the first).
	known map[string]int64

	goodMu   sync.RWMutex
	lastGood map[pageKey][]byte
}

type pageKey struct {
	slug, path, lang string
}

// pageBucket is how long a rendered page may show "days remaining": deadlines end at midnight
// in the meeting's time zone, which falls on a quarter hour in every zone.
const pageBucket = 15 * time.Minute

func newPageCache() *pageCache {
	return &pageCache{details: map[string]*domain.MeetingDetail{}, ids: map[string]int64{}, pages: map[pageKey][]byte{},
		lastGood: map[pageKey][]byte{}}
}

// versions takes a reading of every meeting's version and drops what changed since the last
// one: meetings whose version moved, that appeared or that went (and the lists of meetings). The
// first reading turns the cache on, emptied: what was cached before it is not known to match it.
// Versions only go up, so a reading after an outage finds every change made meanwhile.
func (c *pageCache) versions(v map[string]int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.known == nil {
		c.known = v
		c.clearLocked()
		c.enabled.Store(true)
		return
	}
	for slug, ver := range v {
		if old, ok := c.known[slug]; !ok || old != ver {
			c.invalidateLocked(slug)
		}
	}
	for slug := range c.known {
		if _, ok := v[slug]; !ok {
			c.invalidateLocked(slug)
		}
	}
	c.known = v
}

func (c *pageCache) clearLocked() {
	c.gen++
	c.details = map[string]*domain.MeetingDetail{}
	c.ids = map[string]int64{}
	c.pages = map[pageKey][]byte{}
}

// invalidate drops a meeting and its pages, and the pages that list every meeting.
func (c *pageCache) invalidate(slug string) {
	c.mu.Lock()
	c.invalidateLocked(slug)
	c.mu.Unlock()
}

func (c *pageCache) invalidateLocked(slug string) {
	c.gen++
	delete(c.details, slug)
	delete(c.ids, slug)
	for k := range c.pages {
		if k.slug == slug || k.slug == "" {
			delete(c.pages, k)
		}
	}
}

// generation is read before loading from the database; a store with a stale generation is
// dropped, so a change committed during the load is never hidden.
func (c *pageCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *pageCache) detail(slug string) (*domain.MeetingDetail, bool) {
	if !c.enabled.Load() {
		return nil, false
	}
	c.mu.RLock()
	d, ok := c.details[slug]
	c.mu.RUnlock()
	return d, ok
}

func (c *pageCache) storeDetail(gen uint64, slug string, d *domain.MeetingDetail) {
	if !c.enabled.Load() {
		return
	}
	c.mu.Lock()
	if c.gen == gen {
		c.details[slug] = d
	}
	c.mu.Unlock()
}

// id returns a meeting's id, known from its cached detail or an earlier look-up.
func (c *pageCache) id(slug string) (int64, bool) {
	if !c.enabled.Load() {
		return 0, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if d, ok := c.details[slug]; ok {
		return d.ID, true
	}
	id, ok := c.ids[slug]
	return id, ok
}

func (c *pageCache) storeID(gen uint64, slug string, id int64) {
	if !c.enabled.Load() {
		return
	}
	c.mu.Lock()
	if c.gen == gen {
		c.ids[slug] = id
	}
	c.mu.Unlock()
}

func (c *pageCache) page(k pageKey, now time.Time) ([]byte, bool) {
	if !c.enabled.Load() {
		return nil, false
	}
	c.mu.RLock()
	b, ok := c.pages[k]
	stale := !now.Truncate(pageBucket).Equal(c.bucket)
	c.mu.RUnlock()
	if stale {
		return nil, false
	}
	return b, ok
}

func (c *pageCache) storePage(gen uint64, k pageKey, now time.Time, b []byte) {
	if !c.enabled.Load() {
		return
	}
	bucket := now.Truncate(pageBucket)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if !bucket.Equal(c.bucket) {
		c.pages = map[pageKey][]byte{}
		c.bucket = bucket
	}
	c.pages[k] = b
}

// keepGood remembers the last page rendered at an address, for while the database is away.
func (c *pageCache) keepGood(k pageKey, b []byte) {
	c.goodMu.Lock()
	c.lastGood[k] = b
	c.goodMu.Unlock()
}

// good returns the last page rendered at an address, however old.
func (c *pageCache) good(k pageKey) ([]byte, bool) {
	c.goodMu.RLock()
	defer c.goodMu.RUnlock()
	b, ok := c.lastGood[k]
	return b, ok
}
