using System.Globalization;
using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Conferences;
using VoiceMesh.TwilioSimulator.Hosting;
using VoiceMesh.TwilioSimulator.MediaStreams;
using VoiceMesh.TwilioSimulator.Numbers;
using VoiceMesh.TwilioSimulator.Queues;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary>The outcome of starting an inbound call: its SID, or an HTTP status and why not.</summary>
internal sealed record InboundStart(string? CallSid, int Status, string? Error);

/// <summary>How a dialled leg ends: answered, busy, no-answer or failed, after how long, and how long it talks once answered.</summary>
internal sealed record DialLeg(string Status, TimeSpan After, TimeSpan Talk);

/// <summary>
/// Runs TwiML for inbound calls the way Twilio does (REFERENCE §9) and holds the call queues (§10). Every step runs
/// on the <see cref="VirtualScheduler"/> under one lock; TwiML fetches are real HTTP whose responses come back as
/// scheduler steps at the simulator time the fetch was made, so verb timing is virtual and deterministic.
/// </summary>
internal sealed partial class TwimlEngine(
    SimulatorOptions options, VirtualScheduler scheduler, CallEngine calls, WebhookDispatcher webhooks, NumberInventory numbers,
    RecordingStore recordings, ConferenceEngine conferences, OutcomeScript outcomes, SimulatorAccounts accounts, CallStreams streams,
    ILogger<TwimlEngine> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TwimlSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<SimQueue> _queues = [];

    public InboundStart StartInbound(InboundCallRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.From) || string.IsNullOrWhiteSpace(request.To))
        {
            return new InboundStart(null, 400, "from and to are required");
        }

        if (request.RecordSeconds < 0 || request.HangUpAfterSeconds < 0)
        {
            return new InboundStart(null, 400, "recordSeconds and hangUpAfterSeconds cannot be negative");
        }

        if (request.DropFirstStreamAfterFrames < 0)
        {
            return new InboundStart(null, 400, "dropFirstStreamAfterFrames cannot be negative");
        }

        var audio = (request.StreamAudio ?? []).Select(a => a.ToStep()).ToList();
        if (audio.FirstOrDefault(a => a.Error is not null).Error is { } audioError)
        {
            return new InboundStart(null, 400, audioError);
        }

        var accountSid = request.AccountSid ?? options.AccountSid;
        if (accounts.TokenOf(accountSid) is not { } authToken)
        {
            return new InboundStart(null, 404, $"Account {accountSid} is unknown");
        }

        var number = numbers.Owned(accountSid).FirstOrDefault(n => n.Number.PhoneNumber == request.To) is { } owned
            ? numbers.With(accountSid, owned.Sid, n => new
            {
                n.VoiceUrl, n.VoiceMethod, n.VoiceFallbackUrl, n.StatusCallback, n.StatusCallbackMethod,
            })
            : null;
        var url = request.Url ?? number?.VoiceUrl;
        if (url is null)
        {
            return new InboundStart(null, 404, $"{request.To} is not a number of account {accountSid} with a Voice URL, and no url was given");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return new InboundStart(null, 400, $"url is not an http(s) URL: {url}");
        }

        var now = scheduler.Now;
        var call = calls.AddInbound(accountSid, authToken, request.From, request.To, number?.StatusCallback, number?.StatusCallbackMethod ?? "POST", now);
        var session = new TwimlSession
        {
            Call = call,
            Input = new Queue<CallerInput>(request.CallerInput ?? []),
            RecordSeconds = request.RecordSeconds,
            FallbackUrl = request.Url is null ? number?.VoiceFallbackUrl : null,
            LastUrl = url,
        };
        lock (_gate)
        {
            _sessions.Add(call.Sid, session);
        }

        streams.Configure(call.Sid, new StreamBehaviour(new AudioScript([.. audio.Select(a => a.Step!)]), request.DropFirstStreamAfterFrames));
        LogInbound(logger, call.Sid, request.From, request.To);
        var method = Method(request.Method ?? (request.Url is null ? number?.VoiceMethod : null));
        scheduler.Schedule(now, at => Locked(() =>
        {
            if (request.Twiml is { } twiml)
            {
                Redirect(session, null, twiml, method, at);
            }
            else
            {
                FetchAndRun(session, url, method, [], at, null);
            }
        }));
        if (request.HangUpAfterSeconds is { } seconds)
        {
            scheduler.Schedule(now + Seconds(seconds), at => Locked(() => CallerHangsUp(session, at)));
        }

        return new InboundStart(call.Sid, 201, null);
    }

    public CallTwimlLog? Log(string callSid)
    {
        TwimlSession? session;
        List<TwimlVerbEntry> verbs;
        lock (_gate)
        {
            if (!_sessions.TryGetValue(callSid, out session))
            {
                return null;
            }

            verbs = [.. session.Log.Select(v => v.ToEntry())];
        }

        return new CallTwimlLog(callSid, CallJson.Of(session.Call).Status, session.ErrorCode, session.ErrorMessage, verbs);
    }

    /// <summary>True for inbound calls, whose Calls updates this engine handles.</summary>
    public bool Runs(SimCall call)
    {
        lock (_gate)
        {
            return _sessions.ContainsKey(call.Sid);
        }
    }

    /// <summary>Calls update of an inbound call: <c>Status</c> hangs up or cancels; <c>Url</c>/<c>Twiml</c> replace the running TwiML.</summary>
    public async Task<TwilioError?> UpdateAsync(SimCall call, IFormCollection form)
    {
        var status = NullIfEmpty(form["Status"]);
        if (status is not null and not "completed" and not "canceled")
        {
            return TwilioError.Of(20001, 400, $"Status must be completed or canceled, not {status}");
        }

        TwilioError? error = null;
        await scheduler.RunAsync(scheduler.Now, at => Locked(() =>
        {
            var session = _sessions[call.Sid];
            if (session.Ended)
            {
                error = TwilioError.InvalidCallState(call.Sid);
                return;
            }

            CallEngine.UpdateCallbacks(call, form, at);
            if (status is not null && (status == "completed" || !session.Answered))
            {
                CloseOpenEntries(session, "hangup");
                EndCall(session, session.Answered ? "completed" : "canceled", at, "hangup");
            }
            else if (NullIfEmpty(form["Url"]) is { } url)
            {
                Redirect(session, url, null, Method(form["Method"]), at);
            }
            else if (NullIfEmpty(form["Twiml"]) is { } twiml)
            {
                Redirect(session, null, twiml, "POST", at);
            }
        })).ConfigureAwait(false);
        return error;
    }

    /// <summary>Reads or changes the queues under the engine's lock (Queues REST).</summary>
    public T WithQueues<T>(Func<List<SimQueue>, DateTimeOffset, T> action)
    {
        lock (_gate)
        {
            return action(_queues, scheduler.Now);
        }
    }

    /// <summary>
    /// Members update: <paramref name="pick"/> chooses the member (null: none) on the scheduler; the member leaves its queue
    /// (its Enqueue action gets <c>QueueResult=redirected</c>) and runs <paramref name="url"/>.
    /// </summary>
    public async Task<T> DequeueAsync<T>(Func<List<SimQueue>, DateTimeOffset, (QueueMember? Member, T Result)> pick, string url, string method)
    {
        T result = default!;
        await scheduler.RunAsync(scheduler.Now, at => Locked(() =>
        {
            var (member, picked) = pick(_queues, at);
            result = picked;
            if (member is not null)
            {
                Redirect(member.Session, url, null, Method(method), at);
            }
        })).ConfigureAwait(false);
        return result;
    }

    private void Locked(Action action)
    {
        lock (_gate)
        {
            action();
        }
    }


    private void FetchAndRun(
        TwimlSession session, string url, string method, IEnumerable<KeyValuePair<string, string>> extra, DateTimeOffset at, QueueMember? waitFor)
    {
        var epoch = session.Epoch;
        webhooks.Fetch(Job(session, url, method, extra, at), (response, due) => Locked(() =>
        {
            if (session.Ended || session.Epoch != epoch)
            {
                return;
            }

            (IReadOnlyList<XElement>? Verbs, TwimlError? Error) parsed = response switch
            {
                { IsSuccess: false } => (null, new TwimlError(11200, $"HTTP retrieval failure: {(response.Status?.ToString(CultureInfo.InvariantCulture) ?? response.Error)} from {url}")),
                { ContentType: not ("text/xml" or "application/xml") } => (null, new TwimlError(12300, $"Invalid Content-Type {response.ContentType ?? "(none)"} from {url}")),
                _ => TwimlParser.Parse(response.Body),
            };
            if (parsed.Error is { } error)
            {
                Fail(session, error, url, due);
            }
            else
            {
                Run(session, new TwimlDocument(url, parsed.Verbs!, waitFor, due), 0, due);
            }
        }));
    }

    private void Fail(TwimlSession session, TwimlError error, string url, DateTimeOffset at)
    {
        session.ErrorCode = error.Code;
        session.ErrorMessage = error.Message;
        LogTwimlError(logger, session.Call.Sid, error.Code, error.Message);
        if (session.Member is null && session.FallbackUrl is { } fallback && !session.FallbackUsed)
        {
            session.FallbackUsed = true;
            FetchAndRun(session, fallback, "POST", [new("ErrorCode", error.Code.ToString(CultureInfo.InvariantCulture)), new("ErrorUrl", url)], at, null);
            return;
        }

        CloseOpenEntries(session, "error");
        EndCall(session, session.Answered ? "completed" : "failed", at, "error");
    }

    /// <summary>Runs verbs from <paramref name="index"/> until one takes time or hands control elsewhere.</summary>
    private void Run(TwimlSession session, TwimlDocument document, int index, DateTimeOffset at)
    {
        session.LastUrl = document.Url;
        while (!session.Ended)
        {
            if (index >= document.Verbs.Count)
            {
                EndOfDocument(session, document, at);
                return;
            }

            var verb = document.Verbs[index];
            var name = verb.Name.LocalName;
            var resume = new Resume(document, index + 1);
            if (name != "Reject" && !(name == "Dial" && IsTrue(verb, "answerOnBridge")))
            {
                Answer(session, at);
            }

            var entry = LogVerb(session, document, verb, at);
            if (document.WaitFor is not null && name is "Dial" or "Enqueue" or "Record" or "Reject")
            {
                entry.Outcome = "not-allowed-in-wait-url";
                index++;
                continue;
            }

            switch (name)
            {
                case "Say" or "Play" or "Pause":
                    Prompt(session, entry, verb, at, due => Run(session, document, index + 1, due));
                    return;
                case "Gather":
                    Gather(session, document, verb, entry, resume, at);
                    return;
                case "Redirect":
                    entry.Outcome = "completed";
                    FetchAndRun(session, Resolve(document.Url, verb.Value.Trim()), Method(Attr(verb, "method")), [], at, document.WaitFor);
                    return;
                case "Hangup":
                    entry.Outcome = "completed";
                    EndCall(session, "completed", at, "hangup");
                    return;
                case "Reject":
                    var busy = Attr(verb, "reason") == "busy";
                    entry.Outcome = session.Answered ? "completed" : busy ? "busy" : "no-answer";
                    EndCall(session, session.Answered ? "completed" : busy ? "busy" : "no-answer", at, "hangup");
                    return;
                case "Leave" when document.WaitFor is { } member && session.Member == member:
                    entry.Outcome = "completed";
                    LeaveQueue(session, member, "leave", at);
                    return;
                case "Leave":
                    entry.Outcome = "ignored";
                    break;
                case "Dial":
                    Dial(session, document, verb, entry, resume, at);
                    return;
                case "Enqueue" when verb.Value.Trim().Length > 0:
                    Enqueue(session, document, verb, entry, resume, at);
                    return;
                case "Record":
                    Record(session, document, verb, entry, resume, at);
                    return;
                case "Start":
                    StartStreams(session, document, verb, entry);
                    break;
                case "Connect" when verb.Element("Stream") is { } stream:
                    Connect(session, document, verb, stream, entry, resume);
                    return;
                default:
                    entry.Outcome = "not-simulated";
                    break;
            }

            index++;
        }
    }

    private void EndOfDocument(TwimlSession session, TwimlDocument document, DateTimeOffset at)
    {
        if (document.WaitFor is { Bridge: null } member && session.Member == member)
        {
            var next = at == document.StartedAt ? at + options.Scaled(TimeSpan.FromSeconds(1)) : at;
            After(session, next, due => RequestWaitUrl(member, due));
            return;
        }

        EndCall(session, "completed", at, "hangup");
    }

    /// <summary>Say, Play or Pause: takes its time, then <paramref name="then"/>. <c>loop="0"</c> never ends by itself.</summary>
    private void Prompt(TwimlSession session, VerbLog entry, XElement verb, DateTimeOffset at, Action<DateTimeOffset> then)
    {
        var loop = Int(verb, "loop", 1);
        var duration = verb.Name.LocalName switch
        {
            "Say" => options.Scaled(options.SayDuration) * loop,
            "Play" => options.Scaled(options.PlayDuration) * loop,
            _ => Seconds(Int(verb, "length", 1)),
        };
        if (loop == 0)
        {
            return;
        }

        After(session, at + duration, due =>
        {
            entry.Outcome = "completed";
            then(due);
        });
    }


    private void Gather(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry, Resume resume, DateTimeOffset at)
    {
        var prompts = verb.Elements().ToList();
        RunPrompts(session, document, prompts, 0, at, due => Collect(session, document, verb, entry, resume, due));
    }

    private void RunPrompts(TwimlSession session, TwimlDocument document, List<XElement> prompts, int index, DateTimeOffset at, Action<DateTimeOffset> then)
    {
        if (index == prompts.Count)
        {
            then(at);
            return;
        }

        var entry = LogVerb(session, document, prompts[index], at);
        Prompt(session, entry, prompts[index], at, due => RunPrompts(session, document, prompts, index + 1, due, then));
    }

    private void Collect(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry, Resume resume, DateTimeOffset at)
    {
        var inputs = (Attr(verb, "input") ?? "dtmf").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var timeout = Seconds(Int(verb, "timeout", 5));
        var action = Resolve(document.Url, Attr(verb, "action") ?? document.Url);
        var method = Method(Attr(verb, "method"));
        session.Input.TryDequeue(out var input);
        if (input is { Digits: { Length: > 0 } digits } && inputs.Contains("dtmf"))
        {
            var finishOnKey = Attr(verb, "finishOnKey") ?? "#";
            var numDigits = Attr(verb, "numDigits") is { } n ? TwimlParser.Count(n) : int.MaxValue;
            var wait = timeout;
            if (finishOnKey.Length == 1 && digits.Contains(finishOnKey[0], StringComparison.Ordinal))
            {
                digits = digits[..digits.IndexOf(finishOnKey[0], StringComparison.Ordinal)];
                wait = TimeSpan.Zero;
            }
            else if (digits.Length >= numDigits)
            {
                digits = digits[..numDigits];
                wait = TimeSpan.Zero;
            }

            if (digits.Length > 0)
            {
                After(session, at + wait, due =>
                {
                    entry.Outcome = $"digits {digits}";
                    FetchAndRun(session, action, method, [new("Digits", digits)], due, document.WaitFor);
                });
                return;
            }
        }
        else if (input is { Speech: { Length: > 0 } speech } && inputs.Contains("speech"))
        {
            var speechTimeout = Attr(verb, "speechTimeout") is { } st ? st == "auto" ? Seconds(1) : Seconds(TwimlParser.Count(st)) : timeout;
            var confidence = (input.Confidence ?? 0.9).ToString("0.########", CultureInfo.InvariantCulture);
            After(session, at + speechTimeout, due =>
            {
                entry.Outcome = $"speech {speech}";
                FetchAndRun(session, action, method, [new("SpeechResult", speech), new("Confidence", confidence)], due, document.WaitFor);
            });
            return;
        }

        After(session, at + timeout, due =>
        {
            entry.Outcome = "no-input";
            if (IsTrue(verb, "actionOnEmptyResult"))
            {
                FetchAndRun(session, action, method, [], due, document.WaitFor);
            }
            else
            {
                Run(session, resume.Document, resume.Index, due);
            }
        });
    }





    private static void Answer(TwimlSession session, DateTimeOffset at)
    {
        if (!session.Answered)
        {
            session.Answered = true;
            CallEngine.AnswerInbound(session.Call, at);
        }
    }

    private void CallerHangsUp(TwimlSession session, DateTimeOffset at)
    {
        if (!session.Ended)
        {
            CloseOpenEntries(session, "hangup");
            EndCall(session, session.Answered ? "completed" : "canceled", at, "hangup");
        }
    }

    /// <summary>Ends the call, then lets go of its queue place, dial or recording (<paramref name="reason"/>: hangup or error).</summary>
    private void EndCall(TwimlSession session, string status, DateTimeOffset at, string reason)
    {
        if (session.Ended)
        {
            return;
        }

        session.Ended = true;
        session.Epoch++;
        var sip = status switch
        {
            "completed" => 200,
            "busy" => 486,
            "failed" => 500,
            _ => 487,
        };
        calls.EndInbound(session.Call, status, sip, at);
        Detach(session, at, reason);
    }

    /// <summary>Takes the call out of what it is waiting in. An ended call's actions are requested with the response ignored.</summary>
    private void Detach(TwimlSession session, DateTimeOffset at, string reason)
    {
        if (session.Member is { } member)
        {
            if (member.Bridge is { } bridge)
            {
                EndBridge(bridge, at, session);
            }
            else
            {
                Dequeue(member, at);
                session.Member = null;
                member.Entry.Outcome = reason;
                if (member.Action is { } action)
                {
                    Notify(session, action, member.Method, QueueResult(member, reason, at), at);
                }
            }
        }

        if (session.Dial is { } dial)
        {
            if (dial.Bridge is { } bridge)
            {
                EndBridge(bridge, at, session);
            }
            else
            {
                session.Dial = null;
                dial.WaitingOn?.Waiters.Remove(session);
                conferences.LeaveFromDial(session.Call, at);
                var status = dial.AnsweredAt is null ? "canceled" : "completed";
                dial.Entry.Outcome = session.Ended ? status : reason;
                if (session.Ended && dial.Action is { } action)
                {
                    Notify(session, action, dial.Method, DialParameters(session, dial, status, at), at);
                }
            }
        }

        if (session.Recording is { } recording)
        {
            session.Recording = null;
            recording.Entry.Outcome = reason;
            if (session.Ended)
            {
                var spoken = Math.Min(recording.MaxSeconds, (int)((at - recording.Start) / options.Scaled(TimeSpan.FromSeconds(1))));
                FinishRecording(session, recording, spoken, "hangup", at);
            }
        }
    }

    /// <summary>REST moves the call to new TwiML: out of its queue (Enqueue action gets <c>redirected</c>), dial or document.</summary>
    private void Redirect(TwimlSession session, string? url, string? twiml, string method, DateTimeOffset at)
    {
        session.Epoch++;
        if (session.Member is { Bridge: null } member)
        {
            Dequeue(member, at);
            session.Member = null;
            member.Entry.Outcome = "redirected";
            if (member.Action is { } action)
            {
                Notify(session, action, member.Method, QueueResult(member, "redirected", at), at);
            }
        }

        Detach(session, at, "redirected");
        CloseOpenEntries(session, "redirected");
        if (url is not null)
        {
            FetchAndRun(session, url, method, [], at, null);
            return;
        }

        var (verbs, error) = TwimlParser.Parse(twiml);
        if (error is not null)
        {
            Fail(session, error, session.LastUrl, at);
        }
        else
        {
            Run(session, new TwimlDocument(session.LastUrl, verbs!, null, at), 0, at);
        }
    }

    private static void CloseOpenEntries(TwimlSession session, string outcome, VerbLog? except = null)
    {
        foreach (var entry in session.Log.Where(e => e.Outcome is null && e != except))
        {
            entry.Outcome = outcome;
        }
    }

    private void ContinueAfter(
        TwimlSession session, string? action, string method, IEnumerable<KeyValuePair<string, string>> parameters, Resume after, DateTimeOffset at)
    {
        if (action is not null)
        {
            FetchAndRun(session, action, method, parameters, at, null);
        }
        else
        {
            Run(session, after.Document, after.Index, at);
        }
    }

    /// <summary>Requests an action whose response Twilio ignores (the call has moved on or ended).</summary>
    private void Notify(TwimlSession session, string url, string method, IEnumerable<KeyValuePair<string, string>> parameters, DateTimeOffset at) =>
        webhooks.Dispatch(Job(session, url, method, parameters, at));

    /// <summary>Runs <paramref name="step"/> at <paramref name="at"/> unless control moved on or the call ended meanwhile.</summary>
    private void After(TwimlSession session, DateTimeOffset at, Action<DateTimeOffset> step)
    {
        var epoch = session.Epoch;
        scheduler.Schedule(at, due => Locked(() =>
        {
            if (!session.Ended && session.Epoch == epoch)
            {
                step(due);
            }
        }));
    }

    private static WebhookJob Job(TwimlSession session, string url, string method, IEnumerable<KeyValuePair<string, string>> extra, DateTimeOffset at)
    {
        var call = session.Call;
        string status;
        lock (call.Gate)
        {
            status = call.Status;
        }

        return new WebhookJob
        {
            Kind = "voice",
            CallSid = call.Sid,
            Url = url,
            Method = method,
            AuthToken = call.AuthToken,
            GeneratedAt = at,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters =
            [
                new("AccountSid", call.AccountSid),
                new("ApiVersion", TwilioFormat.ApiVersion),
                new("CallSid", call.Sid),
                new("CallStatus", status),
                new("Called", call.To),
                new("Caller", call.From),
                new("Direction", call.Direction),
                new("From", call.From),
                new("To", call.To),
                .. extra,
            ],
        };
    }

    private static VerbLog LogVerb(TwimlSession session, TwimlDocument document, XElement verb, DateTimeOffset at)
    {
        var entry = new VerbLog
        {
            Time = at,
            DocumentUrl = document.Url,
            Verb = verb.Name.LocalName,
            Attributes = verb.Attributes().ToDictionary(a => a.Name.LocalName, a => a.Value, StringComparer.Ordinal),
            Text = verb.HasElements && verb.Name.LocalName is "Gather" or "Dial" ? null : NullIfEmpty(verb.Value.Trim()),
        };
        session.Log.Add(entry);
        return entry;
    }


    /// <summary>Twilio resolves relative URLs against the URL of the document that contained them.</summary>
    private static string Resolve(string documentUrl, string url) =>
        Uri.TryCreate(new Uri(documentUrl), url, out var resolved) ? resolved.ToString() : url;

    private TimeSpan Seconds(double seconds) => options.Scaled(TimeSpan.FromSeconds(seconds));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private int WholeSeconds(TimeSpan span) => (int)Math.Round(span / options.Scaled(TimeSpan.FromSeconds(1)));

    private static string? Attr(XElement element, string name) => element.Attribute(name)?.Value;

    private static int Int(XElement element, string name, int fallback) => Attr(element, name) is { } value ? TwimlParser.Count(value) : fallback;

    private static bool IsTrue(XElement element, string name) => string.Equals(Attr(element, name), "true", StringComparison.OrdinalIgnoreCase);

    private static string Method(string? value) => string.Equals(value, "GET", StringComparison.OrdinalIgnoreCase) ? "GET" : "POST";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Inbound call {CallSid} from {From} to {To}")]
    private static partial void LogInbound(ILogger logger, string callSid, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "TwiML error {Code} on call {CallSid}: {Message}")]
    private static partial void LogTwimlError(ILogger logger, string callSid, int code, string message);
}
