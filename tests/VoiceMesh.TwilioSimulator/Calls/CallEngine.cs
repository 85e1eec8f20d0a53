using System.Collections.Frozen;
using System.Globalization;
using VoiceMesh.TwilioSimulator.Hosting;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>
/// Holds the calls and walks each through queued → initiated → ringing → in-progress → completed (or busy,
/// no-answer, failed, canceled) on the simulator clock, as its scripted outcome says, sending the status callbacks
/// it asked for (REFERENCE §2).
/// </summary>
internal sealed partial class CallEngine(
    SimulatorOptions options, VirtualScheduler scheduler, OutcomeScript outcomes, WebhookDispatcher webhooks,
    RecordingStore recordings, CallPricing pricing, ILogger<CallEngine> logger)
{
    /// <summary>Twilio's default <c>TimeLimit</c>: four hours.</summary>
    public const int DefaultTimeLimitSeconds = 14_400;

    private static readonly FrozenSet<string> AllEvents = FrozenSet.Create(StringComparer.Ordinal, "initiated", "ringing", "answered", "completed");

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SimCall> _calls = new(StringComparer.Ordinal);
    private readonly List<SimCall> _ordered = [];

    /// <summary>The simulator's price record of call <paramref name="sid"/> in any account; null while it is live or unknown.</summary>
    public SimulatedCallPrice? PriceOf(string sid)
    {
        SimCall? call;
        lock (_gate)
        {
            call = _calls.GetValueOrDefault(sid);
        }

        if (call is null)
        {
            return null;
        }

        lock (call.Gate)
        {
            return call.Price;
        }
    }

    /// <summary>The price records of every ended call, in creation order.</summary>
    public IReadOnlyList<SimulatedCallPrice> Prices()
    {
        List<SimCall> calls;
        lock (_gate)
        {
            calls = [.. _ordered];
        }

        List<SimulatedCallPrice> prices = [];
        foreach (var call in calls)
        {
            lock (call.Gate)
            {
                if (call.Price is { } price)
                {
                    prices.Add(price);
                }
            }
        }

        return prices;
    }

    public SimCall? Find(string accountSid, string sid)
    {
        lock (_gate)
        {
            return _calls.TryGetValue(sid, out var call) && call.AccountSid == accountSid ? call : null;
        }
    }

    /// <summary>The account's calls, newest first.</summary>
    public IReadOnlyList<SimCall> List(string accountSid)
    {
        lock (_gate)
        {
            return [.. Enumerable.Reverse(_ordered).Where(c => c.AccountSid == accountSid)];
        }
    }

    /// <summary>Raised (under the call's lock) when a call is answered.</summary>
    public event EventHandler<CallLifecycleEventArgs>? Answered;

    /// <summary>Raised (under the call's lock) when a call reaches a terminal status.</summary>
    public event EventHandler<CallLifecycleEventArgs>? Ended;

    /// <summary>Creates a call from Calls create (or Participants create, with <paramref name="conferenceSid"/>) fields.</summary>
    public (SimCall? Call, TwilioError? Error) Create(string accountSid, string authToken, IFormCollection form, string? conferenceSid = null)
    {
        var to = form["To"].ToString();
        var from = form["From"].ToString();
        var error = PhoneNumbers.ValidateTo(to) ?? PhoneNumbers.ValidateFrom(from);
        if (error is not null)
        {
            return (null, error);
        }

        var url = NullIfEmpty(form["Url"]);
        var twiml = NullIfEmpty(form["Twiml"]);
        var statusCallback = NullIfEmpty(form["StatusCallback"]);
        var amdCallback = NullIfEmpty(form["AsyncAmdStatusCallback"]);
        var recordingCallback = NullIfEmpty(form["RecordingStatusCallback"]);
        if (conferenceSid is null && url is null && twiml is null && NullIfEmpty(form["ApplicationSid"]) is null)
        {
            return (null, TwilioError.Of(21205, 400, "Url, Twiml or ApplicationSid is required"));
        }

        foreach (var (name, value) in new[] { ("Url", url), ("StatusCallback", statusCallback), ("AsyncAmdStatusCallback", amdCallback), ("RecordingStatusCallback", recordingCallback) })
        {
            if (value is not null && !IsHttpUrl(value))
            {
                return (null, TwilioError.Of(21205, 400, $"{name} is not a valid URL: {value}"));
            }
        }

        var events = form["StatusCallbackEvent"]
            .SelectMany(e => (e ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(e => e.ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        if (events.FirstOrDefault(e => !AllEvents.Contains(e)) is { } unknown)
        {
            return (null, TwilioError.Of(21626, 400, $"Invalid StatusCallbackEvent: {unknown}"));
        }

        var timeLimit = DefaultTimeLimitSeconds;
        if (NullIfEmpty(form["TimeLimit"]) is { } limit
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out timeLimit) || timeLimit < 1))
        {
            return (null, TwilioError.Of(20001, 400, $"TimeLimit must be a whole number of seconds of at least 1, not {limit}"));
        }

        var ringTimeout = int.TryParse(form["Timeout"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? options.Scaled(TimeSpan.FromSeconds(Math.Clamp(seconds, 5, 600)))
            : options.Scaled(options.DefaultRingTimeout);
        var now = scheduler.Now;
        var call = new SimCall
        {
            Sid = TwilioFormat.NewSid("CA"),
            AccountSid = accountSid,
            AuthToken = authToken,
            To = to,
            From = from,
            Outcome = outcomes.For(to, from),
            Events = events.Count == 0 ? new HashSet<string>(["completed"], StringComparer.Ordinal) : events,
            RingTimeout = ringTimeout,
            TimeLimit = options.Scaled(TimeSpan.FromSeconds(timeLimit)),
            Url = url,
            Method = MethodOrPost(form["Method"]),
            Twiml = twiml,
            StatusCallback = statusCallback,
            StatusCallbackMethod = MethodOrPost(form["StatusCallbackMethod"]),
            MachineDetection = NullIfEmpty(form["MachineDetection"]),
            AsyncAmd = string.Equals(form["AsyncAmd"], "true", StringComparison.OrdinalIgnoreCase),
            AsyncAmdStatusCallback = amdCallback,
            AsyncAmdStatusCallbackMethod = MethodOrPost(form["AsyncAmdStatusCallbackMethod"]),
            Record = string.Equals(form["Record"], "true", StringComparison.OrdinalIgnoreCase),
            RecordingStatusCallback = recordingCallback,
            RecordingStatusCallbackMethod = MethodOrPost(form["RecordingStatusCallbackMethod"]),
            DateCreated = now,
            DateUpdated = now,
            ConferenceSid = conferenceSid,
        };

        lock (_gate)
        {
            _calls.Add(call.Sid, call);
            _ordered.Add(call);
        }

        LogCreated(logger, call.Sid, call.Outcome.Outcome);
        scheduler.Schedule(now + options.Scaled(options.QueueDelay), due => Initiate(call, 0, due));
        return (call, null);
    }

    /// <summary>
    /// Adds an inbound call, <c>ringing</c> from <paramref name="at"/>. The TwiML engine walks it; only its terminal
    /// status callback goes to <paramref name="statusCallback"/> (a number's callback gets <c>completed</c> only).
    /// </summary>
    public SimCall AddInbound(
        string accountSid, string authToken, string from, string to, string? statusCallback, string statusCallbackMethod, DateTimeOffset at)
    {
        var call = new SimCall
        {
            Sid = TwilioFormat.NewSid("CA"),
            AccountSid = accountSid,
            AuthToken = authToken,
            To = to,
            From = from,
            Direction = "inbound",
            Outcome = outcomes.For(to),
            Events = new HashSet<string>(["completed"], StringComparer.Ordinal),
            RingTimeout = TimeSpan.Zero,
            StatusCallback = statusCallback,
            StatusCallbackMethod = MethodOrPost(statusCallbackMethod),
            Status = "ringing",
            DateCreated = at,
            DateUpdated = at,
            StartTime = at,
        };
        lock (_gate)
        {
            _calls.Add(call.Sid, call);
            _ordered.Add(call);
        }

        LogCreated(logger, call.Sid, call.Outcome.Outcome);
        return call;
    }

    /// <summary>Answers an inbound call (no callback: a number's status callback hears only <c>completed</c>).</summary>
    public static void AnswerInbound(SimCall call, DateTimeOffset at)
    {
        lock (call.Gate)
        {
            if (call.IsTerminal || call.Status == "in-progress")
            {
                return;
            }

            Move(call, "in-progress", at);
            call.AnsweredAt = at;
        }
    }

    /// <summary>Ends an inbound call with <paramref name="status"/>, sending its terminal status callback.</summary>
    public void EndInbound(SimCall call, string status, int sipResponseCode, DateTimeOffset at)
    {
        lock (call.Gate)
        {
            if (!call.IsTerminal)
            {
                call.Generation++;
                Finish(call, status, sipResponseCode, at);
            }
        }
    }

    /// <summary>Applies <c>StatusCallback</c>/<c>StatusCallbackMethod</c> of a Calls update.</summary>
    public static void UpdateCallbacks(SimCall call, IFormCollection form, DateTimeOffset at)
    {
        lock (call.Gate)
        {
            if (NullIfEmpty(form["StatusCallback"]) is { } statusCallback)
            {
                call.StatusCallback = statusCallback;
            }

            if (NullIfEmpty(form["StatusCallbackMethod"]) is { } statusCallbackMethod)
            {
                call.StatusCallbackMethod = MethodOrPost(statusCallbackMethod);
            }

            call.DateUpdated = at;
        }
    }

    /// <summary>Ends a call that is still going: completed once answered, canceled before.</summary>
    public void HangUp(SimCall call, DateTimeOffset at)
    {
        lock (call.Gate)
        {
            if (call.IsTerminal)
            {
                return;
            }

            call.Generation++;
            if (call.Status == "in-progress")
            {
                Finish(call, "completed", 200, at);
            }
            else
            {
                Finish(call, "canceled", 487, at);
            }
        }
    }

    public TwilioError? Update(SimCall call, IFormCollection form)
    {
        var status = NullIfEmpty(form["Status"]);
        if (status is not null and not "completed" and not "canceled")
        {
            return TwilioError.Of(20001, 400, $"Status must be completed or canceled, not {status}");
        }

        var now = scheduler.Now;
        lock (call.Gate)
        {
            if (call.IsTerminal)
            {
                return TwilioError.InvalidCallState(call.Sid);
            }

            if (NullIfEmpty(form["StatusCallback"]) is { } statusCallback)
            {
                call.StatusCallback = statusCallback;
            }

            if (NullIfEmpty(form["StatusCallbackMethod"]) is { } statusCallbackMethod)
            {
                call.StatusCallbackMethod = MethodOrPost(statusCallbackMethod);
            }

            call.DateUpdated = now;
            var answered = call.Status == "in-progress";
            if (status == "completed" && answered)
            {
                call.Generation++;
                Finish(call, "completed", 200, now);
                return null;
            }

            if (status is not null && !answered)
            {
                call.Generation++;
                Finish(call, "canceled", 487, now);
                return null;
            }

            var newUrl = NullIfEmpty(form["Url"]);
            var newTwiml = NullIfEmpty(form["Twiml"]);
            if (newUrl is not null || newTwiml is not null)
            {
                call.Url = newUrl;
                call.Twiml = newTwiml;
                call.Method = MethodOrPost(form["Method"]);
                if (answered)
                {
                    FetchVoice(call, now);
                }
            }
        }

        return null;
    }

    private void Initiate(SimCall call, int generation, DateTimeOffset due)
    {
        lock (call.Gate)
        {
            if (call.Generation != generation || call.Status != "queued")
            {
                return;
            }

            Move(call, "initiated", due);
            call.StartTime = due;
            Emit(call, "initiated", due);
            var next = due + options.Scaled(options.RingDelay);
            if (call.Outcome.Outcome == CallOutcomeKind.Failed)
            {
                scheduler.Schedule(next, at => Step(call, generation, c => Finish(c, "failed", c.Outcome.SipResponseCode ?? 503, at)));
            }
            else
            {
                scheduler.Schedule(next, at => Step(call, generation, c => Ring(c, generation, at)));
            }
        }
    }

    private void Ring(SimCall call, int generation, DateTimeOffset due)
    {
        Move(call, "ringing", due);
        Emit(call, "ringing", due);
        var outcome = call.Outcome;
        var answerDelay = outcome.RingSeconds is { } ring ? options.Scaled(TimeSpan.FromSeconds(ring)) : options.Scaled(options.AnswerDelay);
        if (outcome.Outcome == CallOutcomeKind.Busy)
        {
            scheduler.Schedule(due + answerDelay, at => Step(call, generation, c => Finish(c, "busy", c.Outcome.SipResponseCode ?? 486, at)));
        }
        else if (outcome.Outcome == CallOutcomeKind.NoAnswer || answerDelay >= call.RingTimeout)
        {
            scheduler.Schedule(due + call.RingTimeout, at => Step(call, generation, c => Finish(c, "no-answer", c.Outcome.SipResponseCode ?? 487, at)));
        }
        else
        {
            scheduler.Schedule(due + answerDelay, at => Step(call, generation, c => Answer(c, generation, at)));
        }
    }

    private void Answer(SimCall call, int generation, DateTimeOffset due)
    {
        Move(call, "in-progress", due);
        call.AnsweredAt = due;
        var talk = TalkTime(call);
        var amd = options.Scaled(options.AmdDuration);
        if (call.MachineDetection is not null && !call.AsyncAmd)
        {
            scheduler.Schedule(due + amd, at => Step(call, generation, c =>
            {
                c.AnsweredBy = DetectedAnsweredBy(c);
                Emit(c, "answered", at);
                FetchVoice(c, at);
            }));
            talk += amd;
        }
        else
        {
            Emit(call, "answered", due);
            FetchVoice(call, due);
            if (call.MachineDetection is not null)
            {
                scheduler.Schedule(due + amd, at => Step(call, generation, c => ReportAsyncAmd(c, amd, at)));
            }
        }

        scheduler.Schedule(due + talk, at => Step(call, generation, c => Finish(c, "completed", c.Outcome.SipResponseCode ?? 200, at)));
        Answered?.Invoke(this, new CallLifecycleEventArgs(call, due));
    }

    /// <summary>
    /// How long an answered call lasts unless hung up: an outcome rule's <c>talkSeconds</c>, else <c>TalkDuration</c> for
    /// a Calls-create call, while a conference participant stays until it leaves; never beyond its <c>TimeLimit</c>.
    /// </summary>
    private TimeSpan TalkTime(SimCall call)
    {
        TimeSpan? talk = call.Outcome.TalkSeconds is { } seconds
            ? options.Scaled(TimeSpan.FromSeconds(seconds))
            : call.ConferenceSid is null ? options.Scaled(options.TalkDuration) : null;
        return talk is { } t && t < call.TimeLimit ? t : call.TimeLimit;
    }

    private void ReportAsyncAmd(SimCall call, TimeSpan detectionTime, DateTimeOffset due)
    {
        call.AnsweredBy = DetectedAnsweredBy(call);
        if (call.AsyncAmdStatusCallback is not { } url)
        {
            return;
        }

        webhooks.Dispatch(new WebhookJob
        {
            Kind = "amd",
            CallSid = call.Sid,
            Url = url,
            Method = call.AsyncAmdStatusCallbackMethod,
            AuthToken = call.AuthToken,
            GeneratedAt = due,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters =
            [
                new("AccountSid", call.AccountSid),
                new("AnsweredBy", call.AnsweredBy),
                new("CallSid", call.Sid),
                new("MachineDetectionDuration", ((int)detectionTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)),
            ],
        });
    }

    private void Finish(SimCall call, string status, int sipResponseCode, DateTimeOffset due)
    {
        Move(call, status, due);
        call.EndTime = due;
        call.SipResponseCode = sipResponseCode;
        SchedulePrice(call, due);
        Emit(call, "completed", due);
        webhooks.ReleaseHeld(call.Sid);
        LogEnded(logger, call.Sid, status);
        Ended?.Invoke(this, new CallLifecycleEventArgs(call, due));
        if (call.Record && call.AnsweredAt is { } start && call.DurationSeconds > 0)
        {
            SaveRecording(call, start, due);
        }
    }

    /// <summary>
    /// Rates the call by the price list in force as it ended; Twilio sets <c>price</c> some time after the end, so the
    /// REST resource shows it only after the list's delay of the simulator's clock.
    /// </summary>
    private void SchedulePrice(SimCall call, DateTimeOffset due)
    {
        var list = pricing.List;
        var pricedAt = due + options.Scaled(TimeSpan.FromSeconds(list.DelaySeconds));
        call.Price = CallPricing.Price(list, call.Sid, call.To, call.Status, call.DurationSeconds, pricedAt);
        scheduler.Schedule(pricedAt, _ =>
        {
            lock (call.Gate)
            {
                call.PriceSet = true;
            }
        });
    }

    /// <summary>A call created with <c>Record=true</c> leaves a recording of its answered part (REFERENCE §4).</summary>
    private void SaveRecording(SimCall call, DateTimeOffset start, DateTimeOffset due)
    {
        var recording = SimRecording.Finished(call.AccountSid, call.Sid, start, due, call.DurationSeconds, "OutboundAPI");
        var callback = call.RecordingStatusCallback is { } url
            ? RecordingCallback.For(call, recording, SimRecording.Completed, url, call.RecordingStatusCallbackMethod, due)
            : null;
        recordings.Add(recording);
        if (callback is not null)
        {
            webhooks.Dispatch(callback);
        }
    }

    /// <summary>Runs a scheduled step unless a REST update ended the call since it was scheduled.</summary>
    private static void Step(SimCall call, int generation, Action<SimCall> step)
    {
        lock (call.Gate)
        {
            if (call.Generation == generation && !call.IsTerminal)
            {
                step(call);
            }
        }
    }

    private static void Move(SimCall call, string status, DateTimeOffset due)
    {
        call.Status = status;
        call.DateUpdated = due;
    }

    private static string DetectedAnsweredBy(SimCall call) => call.Outcome switch
    {
        { Outcome: CallOutcomeKind.Machine, AnsweredBy: { } answeredBy } => answeredBy,
        { Outcome: CallOutcomeKind.Machine } => call.MachineDetection == "DetectMessageEnd" ? "machine_end_beep" : "machine_start",
        { AnsweredBy: { } answeredBy } => answeredBy,
        _ => "human",
    };

    private void Emit(SimCall call, string callbackEvent, DateTimeOffset due)
    {
        if (call.StatusCallback is not { } url || !call.Events.Contains(callbackEvent))
        {
            return;
        }

        var parameters = CommonParameters(call);
        parameters.Add(new("CallbackSource", "call-progress-events"));
        parameters.Add(new("SequenceNumber", (call.SequenceNumber++).ToString(CultureInfo.InvariantCulture)));
        parameters.Add(new("Timestamp", TwilioFormat.Rfc2822(due)));
        if (callbackEvent == "completed")
        {
            if (call.Status == "completed")
            {
                parameters.Add(new("CallDuration", call.DurationSeconds.ToString(CultureInfo.InvariantCulture)));
            }

            parameters.Add(new("Duration", ((call.DurationSeconds + 59) / 60).ToString(CultureInfo.InvariantCulture)));
            parameters.Add(new("SipResponseCode", (call.SipResponseCode ?? 200).ToString(CultureInfo.InvariantCulture)));
        }

        webhooks.Dispatch(new WebhookJob
        {
            Kind = "status-callback",
            CallSid = call.Sid,
            Url = url,
            Method = call.StatusCallbackMethod,
            AuthToken = call.AuthToken,
            GeneratedAt = due,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters = parameters,
            IsLast = callbackEvent == "completed",
        });
    }

    /// <summary>Requests the call's TwiML from its <c>Url</c>, as Twilio does once the call is answered.</summary>
    private void FetchVoice(SimCall call, DateTimeOffset due)
    {
        if (call.Url is not { } url || call.Twiml is not null)
        {
            return;
        }

        webhooks.Dispatch(new WebhookJob
        {
            Kind = "voice",
            CallSid = call.Sid,
            Url = url,
            Method = call.Method,
            AuthToken = call.AuthToken,
            GeneratedAt = due,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters = CommonParameters(call),
        });
    }

    private static List<KeyValuePair<string, string>> CommonParameters(SimCall call)
    {
        List<KeyValuePair<string, string>> parameters =
        [
            new("AccountSid", call.AccountSid),
            new("ApiVersion", TwilioFormat.ApiVersion),
            new("CallSid", call.Sid),
            new("CallStatus", call.Status),
            new("Called", call.To),
            new("Caller", call.From),
            new("Direction", call.Direction),
            new("From", call.From),
            new("To", call.To),
        ];
        if (call.AnsweredBy is { } answeredBy)
        {
            parameters.Add(new("AnsweredBy", answeredBy));
        }

        return parameters;
    }

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];

    private static string MethodOrPost(Microsoft.Extensions.Primitives.StringValues value) =>
        string.Equals(value.ToString(), "GET", StringComparison.OrdinalIgnoreCase) ? "GET" : "POST";

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} created, scripted outcome {Outcome}")]
    private static partial void LogCreated(ILogger logger, string callSid, CallOutcomeKind outcome);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} ended {Status}")]
    private static partial void LogEnded(ILogger logger, string callSid, string status);
}
