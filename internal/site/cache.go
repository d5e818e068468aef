package site

import (
	"sync"
	"sync/atomic"
	"time"

	"plenary/internal/domain"
)

// pageCache keeps meetings read from PostgreSQL and the pages rendered for visitors, until
// PostgreSQL notifies a change of the meeting (LISTEN meeting_changed, sent in the same transaction
// as every change, so every server instance hears it). It is off until the listener says it is
// connected: without notifications nothing may be cached.
type pageCache struct {
	enabled atomic.Bool
	mu      sync.RWMutex
	gen     uint64
	details map[string]*domain.MeetingDetail
	ids     map[string]int64 // meetings' ids, for actions that need no more
	pages   map[pageKey][]byte
	bucket  time.Time
}

type pageKey struct {
	slug, path, lang string
}

// pageBucket is how long a rendered page may show "days remaining": deadlines end at midnight
// in the meeting's time zone, which falls on a quarter hour in every zone.
const pageBucket = 15 * time.Minute

func newPageCache() *pageCache {
	return &pageCache{details: map[string]*domain.MeetingDetail{}, ids: map[string]int64{}, pages: map[pageKey][]byte{}}
}

// SetEnabled turns caching on (the listener is connected) or off (it is not), dropping
// everything either way.
func (c *pageCache) setEnabled(on bool) {
	c.clear()
	c.enabled.Store(on)
}

func (c *pageCache) clear() {
	c.mu.Lock()
	c.gen++
	c.details = map[string]*domain.MeetingDetail{}
	c.ids = map[string]int64{}
	c.pages = map[pageKey][]byte{}
	c.mu.Unlock()
}

// invalidate drops a meeting and its pages, and the pages that list every meeting.
func (c *pageCache) invalidate(slug string) {
	c.mu.Lock()
	c.gen++
	delete(c.details, slug)
	delete(c.ids, slug)
	for k := range c.pages {
		if k.slug == slug || k.slug == "" {
			delete(c.pages, k)
		}
	}
	c.mu.Unlock()
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
