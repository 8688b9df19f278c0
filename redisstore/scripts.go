package redisstore

import "github.com/redis/go-redis/v9"

// luaTime holds the helpers every script shares. Times are (seconds, nanoseconds)
// pairs of integers, which Lua's doubles hold exactly; strings are compared byte by
// byte, as Go does, whatever locale Redis runs in.
const luaTime = `
local function lt(as, an, bs, bn)
  as, an, bs, bn = tonumber(as), tonumber(an), tonumber(bs), tonumber(bn)
  return as < bs or (as == bs and an < bn)
end
local function add(as, an, bs, bn)
  local s, n = tonumber(as) + tonumber(bs), tonumber(an) + tonumber(bn)
  if n >= 1000000000 then s, n = s + 1, n - 1000000000 end
  return s, n
end
local function bless(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`

// recordActionScript applies store.Window.Apply to one window hash and extends its
// keep-until time and TTL.
//
// KEYS[1] window hash. ARGV: kind, at_s, at_n, keep_s, keep_n, ttl_ms,
// message kind, ad kind.
var recordActionScript = redis.NewScript(luaTime + `
local k = KEYS[1]
local h = redis.call('HMGET', k, 'la_s', 'la_n', 'lm_s', 'lm_n', 'lad_s', 'lad_n', 'ku_s', 'ku_n')
local at_s, at_n = ARGV[2], ARGV[3]
if not h[1] or lt(h[1], h[2], at_s, at_n) then
  redis.call('HSET', k, 'la_k', ARGV[1], 'la_s', at_s, 'la_n', at_n)
end
if ARGV[1] == ARGV[7] and (not h[3] or lt(h[3], h[4], at_s, at_n)) then
  redis.call('HSET', k, 'lm_s', at_s, 'lm_n', at_n)
end
if ARGV[1] == ARGV[8] and (not h[5] or lt(h[5], h[6], at_s, at_n)) then
  redis.call('HSET', k, 'lad_s', at_s, 'lad_n', at_n)
end
if not h[7] or lt(h[7], h[8], ARGV[4], ARGV[5]) then
  redis.call('HSET', k, 'ku_s', ARGV[4], 'ku_n', ARGV[5])
end
local ttl = tonumber(ARGV[6])
if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
return 1
`)

// firstSeenScript records a dedupe key unless it is there and unexpired.
//
// KEYS[1] dedupe key. ARGV: now_s, now_n, exp_s, exp_n, ttl_ms.
var firstSeenScript = redis.NewScript(luaTime + `
local v = redis.call('GET', KEYS[1])
if v then
  local s, n = string.match(v, '^(-?%d+):(%d+)$')
  if s and lt(ARGV[1], ARGV[2], s, n) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[3] .. ':' .. ARGV[4], 'PX', ARGV[5])
return 1
`)

// putTokenScript replaces a token hash and files it under its user, its topic
// and its Page.
//
// KEYS[1] token hash, KEYS[2] user set, KEYS[3] Page set, KEYS[4] topic set.
// ARGV: value, user, user set prefix, ttl_ms (0: none), topic, topic set prefix,
// then the hash's field/value pairs.
var putTokenScript = redis.NewScript(`
local old = redis.call('HMGET', KEYS[1], 'user', 'topic')
if old[1] and old[1] ~= ARGV[2] then redis.call('SREM', ARGV[3] .. old[1], ARGV[1]) end
if old[2] and old[2] ~= ARGV[5] then redis.call('SREM', ARGV[6] .. old[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
local ttl = tonumber(ARGV[4])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`)

// deleteTokenScript removes a token from a Page (when PutToken moves it to another).
//
// KEYS[1] token hash, KEYS[2] Page set. ARGV: value, user set prefix, topic set
// prefix.
var deleteTokenScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 'user', 'topic')
if h[1] then redis.call('SREM', ARGV[2] .. h[1], ARGV[1]) end
if h[2] then redis.call('SREM', ARGV[3] .. h[2], ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
`)

// claimTokenScript is store.Tokens.ClaimToken: among the user's tokens of the kind
// and topic that are claimable at now, it picks the one expiring first (none: never;
// ties: smaller value) and claims it, returning the hash; nil when none qualifies.
// Members whose hash Redis expired are dropped from the set on the way.
//
// KEYS[1] user set. ARGV: token key prefix, kind, topic, now_s, now_n,
// one-time kind, claimed state, live state.
var claimTokenScript = redis.NewScript(luaTime + `
local best, bes, ben, bv
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[1] .. v
  local h = redis.call('HMGET', k, 'kind', 'topic', 'state', 'exp_s', 'exp_n', 'min_s', 'min_n', 'lu_s', 'lu_n')
  if not h[1] then
    redis.call('SREM', KEYS[1], v)
  elseif h[1] == ARGV[2] and h[2] == ARGV[3] and h[3] == ARGV[8] then
    local ok = true
    if h[4] and not lt(ARGV[4], ARGV[5], h[4], h[5]) then ok = false end
    if ok and h[1] ~= ARGV[6] and h[8] then
      local s, n = add(h[8], h[9], h[6], h[7])
      if lt(ARGV[4], ARGV[5], s, n) then ok = false end
    end
    if ok then
      local better
      if not best then better = true
      elseif h[4] and bes then
        if lt(h[4], h[5], bes, ben) then better = true
        elseif lt(bes, ben, h[4], h[5]) then better = false
        else better = bless(v, bv) end
      elseif h[4] then better = true
      elseif bes then better = false
      else better = bless(v, bv) end
      if better then best, bes, ben, bv = k, h[4], h[5], v end
    end
  end
end
if not best then return false end
local cur = redis.call('HMGET', best, 'lu_s', 'lu_n')
if cur[1] then
  redis.call('HSET', best, 'plu_s', cur[1], 'plu_n', cur[2])
else
  redis.call('HDEL', best, 'plu_s', 'plu_n')
end
redis.call('HSET', best, 'undo', '1', 'lu_s', ARGV[4], 'lu_n', ARGV[5])
if ARGV[2] == ARGV[6] then redis.call('HSET', best, 'state', ARGV[7]) end
redis.call('HINCRBY', best, 'uses', 1)
return redis.call('HGETALL', best)
`)

// releaseTokenScript is store.Unclaim on a token hash: -1 no such token, 0 nothing
// to undo, 1 undone.
//
// KEYS[1] token hash. ARGV: claimed uses, claimed lu_s, claimed lu_n ("" when
// zero), one-time kind, claimed state, live state, dead state.
var releaseTokenScript = redis.NewScript(`
local k = KEYS[1]
local h = redis.call('HMGET', k, 'kind', 'state', 'uses', 'lu_s', 'lu_n', 'plu_s', 'plu_n', 'undo')
if not h[1] then return -1 end
if h[8] ~= '1' or h[2] == ARGV[7] or tonumber(h[3]) == 0 or tonumber(h[3]) ~= tonumber(ARGV[1]) then return 0 end
if (h[4] or '') ~= ARGV[2] or (h[5] or '') ~= ARGV[3] then return 0 end
if h[1] == ARGV[4] then
  if h[2] ~= ARGV[5] then return 0 end
  redis.call('HSET', k, 'state', ARGV[6])
end
redis.call('HINCRBY', k, 'uses', -1)
if h[6] then
  redis.call('HSET', k, 'lu_s', h[6], 'lu_n', h[7])
else
  redis.call('HDEL', k, 'lu_s', 'lu_n')
end
redis.call('HDEL', k, 'undo', 'plu_s', 'plu_n')
return 1
`)

// killTokenScript marks a token dead: 0 when there is no such token.
//
// KEYS[1] token hash. ARGV: dead state.
var killTokenScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
return 1
`)

// purgeTokensScript is store.Token.Purgeable over one Page; it returns the values
// it deleted.
//
// KEYS[1] Page set. ARGV: token key prefix, user set prefix, now_s, now_n,
// dead state, claimed state, one-time kind, topic set prefix.
var purgeTokensScript = redis.NewScript(luaTime + `
local gone = {}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = ARGV[1] .. v
  local h = redis.call('HMGET', k, 'kind', 'state', 'exp_s', 'exp_n', 'user', 'topic')
  if not h[1] then
    redis.call('SREM', KEYS[1], v)
  elseif (h[3] and not lt(ARGV[3], ARGV[4], h[3], h[4])) or h[2] == ARGV[5] or (h[1] == ARGV[7] and h[2] == ARGV[6]) then
    redis.call('DEL', k)
    redis.call('SREM', KEYS[1], v)
    redis.call('SREM', ARGV[2] .. h[5], v)
    if h[6] then redis.call('SREM', ARGV[8] .. h[6], v) end
    table.insert(gone, v)
  end
end
return gone
`)

// deleteIfScript deletes a key only if it holds the given value.
//
// KEYS[1] key. ARGV: value.
var deleteIfScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// tokensByTopicScript is store.TopicTokens.TokensByTopic: the hashes of the
// members of one topic set, dropping members whose hash Redis expired (in the
// script, so a PutToken of the same value cannot come between the look and the
// drop). The first call on a Page whose tokens an older version wrote, before
// topic sets existed, files every token of the Page under its topic once and
// sets the Page's marker, all in the same script.
//
// KEYS[1] topic set, KEYS[2] Page set, KEYS[3] the Page's marker. ARGV: token key
// prefix, topic set prefix.
var tokensByTopicScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 0 then
  for _, v in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    local tp = redis.call('HGET', ARGV[1] .. v, 'topic')
    if tp then redis.call('SADD', ARGV[2] .. tp, v) end
  end
  redis.call('SET', KEYS[3], '1')
end
local out = {}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local h = redis.call('HGETALL', ARGV[1] .. v)
  if #h == 0 then
    redis.call('SREM', KEYS[1], v)
  else
    table.insert(out, h)
  end
end
return out
`)
