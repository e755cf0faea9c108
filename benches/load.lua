-- wrk script for benches/load.sh: sends customer messages to many conversations through
-- the public REST API (POST /v1/chat/{tenant}/conversations/{id}/messages).
--
-- Arguments (after `--`): TENANT CONVERSATIONS_FILE THREAD_COUNT [THINK_MS]
--   CONVERSATIONS_FILE has one "conversation_id token" pair per line. Thread t of n takes
--   the conversations i with i % n == t, and sends to them in turn, so with one
--   connection per conversation each conversation mostly has one message in flight.
--   THINK_MS (default 0): each connection waits that long after an answer before it sends
--   its next message, as a person reads and types, which paces the offered load.
-- Messages cycle through a mix of knowledge questions, small talk and booking intents,
-- each conversation starting at a different point of the list.
-- At the end it prints one JSON object: requests, messages_per_second, p50_ms, p99_ms,
-- errors (non-2xx statuses plus socket errors and timeouts).

local messages = {
  "is there parking?",
  "what are your opening hours?",
  "how much is a women's haircut?",
  "hello",
  "I'd like to book a women's haircut tomorrow at 3pm",
  "where are you located?",
  "do you accept credit cards?",
  "never mind",
  "can I cancel my appointment?",
  "do you sell gift cards?",
  "thanks, bye",
  "who are your stylists?",
}

-- Encodes a string as a JSON string literal (the messages above need only quotes escaped).
local function json_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local bodies = {}
for i, m in ipairs(messages) do
  bodies[i] = '{"text":' .. json_string(m) .. '}'
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local convs = {}
local next_conv = 1
local turn = 0
errors = 0

function init(args)
  local tenant, file, nthreads = args[1], args[2], tonumber(args[3])
  local think = tonumber(args[4] or "0")
  if think > 0 then
    -- wrk asks delay() before each request once it is defined.
    delay = function() return think end
  end
  local i = 0
  for line in io.lines(file) do
    local id, token = line:match("^(%S+)%s+(%S+)$")
    if id then
      if i % nthreads == index then
        table.insert(convs, {
          path = "/v1/chat/" .. tenant .. "/conversations/" .. id .. "/messages",
          headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" },
          offset = i,
        })
      end
      i = i + 1
    end
  end
  if #convs == 0 then
    error("no conversations for thread " .. index .. " in " .. file)
  end
end

function request()
  local c = convs[next_conv]
  next_conv = next_conv % #convs + 1
  if next_conv == 1 then
    turn = turn + 1
  end
  local body = bodies[(c.offset + turn) % #bodies + 1]
  return wrk.format("POST", c.path, c.headers, body)
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then
      io.stderr:write("load.lua: HTTP " .. status .. ": " .. body:sub(1, 200) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local status_errors = 0
  for _, t in ipairs(threads) do
    status_errors = status_errors + (t:get("errors") or 0)
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  local ok = summary.requests - status_errors - socket_errors
  io.write(string.format(
    '{"requests":%d,"messages_per_second":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"errors":%d}\n',
    summary.requests, ok / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    status_errors + socket_errors))
end
