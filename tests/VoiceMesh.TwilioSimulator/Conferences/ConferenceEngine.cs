using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>
/// Conferences made by Participants create (each participant is an outbound call that joins when answered) and by
/// <c>&lt;Dial&gt;&lt;Conference&gt;</c> (the dialling call joins at once). Sends conference status callbacks
/// (REFERENCE §3) for the events the first participant asked for, and records the conference from its start to its
/// end when that participant asked for <c>record-from-start</c>.
/// </summary>
internal sealed class ConferenceEngine
{
    private readonly CallEngine _calls;
    private readonly VirtualScheduler _scheduler;
    private readonly WebhookDispatcher _webhooks;
    private readonly RecordingStore _recordings;
    private readonly Lock _gate = new();
    private readonly List<SimConference> _conferences = [];
    private readonly Dictionary<string, SimConference> _twimlParticipants = new(StringComparer.Ordinal);

    public ConferenceEngine(CallEngine calls, VirtualScheduler scheduler, WebhookDispatcher webhooks, RecordingStore recordings)
    {
        _calls = calls;
        _scheduler = scheduler;
        _webhooks = webhooks;
        _recordings = recordings;
        calls.Answered += (_, e) => Joined(e.Call, e.At);
        calls.Ended += (_, e) => CallEnded(e.Call, e.At);
    }

    /// <summary>Runs <paramref name="read"/> under the lock on a conference found by SID (or the running one by name).</summary>
    public T? With<T>(string accountSid, string sidOrName, Func<SimConference, T?> read)
        where T : class
    {
        lock (_gate)
        {
            return Find(accountSid, sidOrName) is { } conference ? read(conference) : null;
        }
    }

    public IReadOnlyList<T> List<T>(string accountSid, Func<SimConference, T> read)
    {
        lock (_gate)
        {
            return [.. Enumerable.Reverse(_conferences).Where(c => c.AccountSid == accountSid).Select(read)];
        }
    }

    /// <summary>The simulator's record of the conference with SID <paramref name="sidOrName"/>, or the latest one so named.</summary>
    public ConferenceSnapshot? Snapshot(string accountSid, string sidOrName)
    {
        lock (_gate)
        {
            if (_conferences.LastOrDefault(c => c.AccountSid == accountSid && (c.Sid == sidOrName || c.FriendlyName == sidOrName)) is not { } room)
            {
                return null;
            }

            var now = _scheduler.Now;
            return new ConferenceSnapshot(
                room.Sid, room.FriendlyName, room.Status, room.DateCreated, room.StartedAt, room.EndedAt, room.ReasonConferenceEnded,
                room.CallSidEndingConference,
                [.. room.Roster.Select(p => new ParticipantSnapshot(
                    p.Call.Sid, p.Label, p.JoinedAt, p.LeftAt, p.Muted, p.Hold, p.Coaching, p.CallSidToCoach, p.EndConferenceOnExit,
                    p.StartConferenceOnEnter, p.ReasonLeft,
                    (int)Math.Round(p.SpokenBy(now).TotalSeconds)))]);
        }
    }

    /// <summary>Participants create: dials <c>To</c> and joins it to the running conference named or identified by <paramref name="conference"/>.</summary>
    public (SimParticipant? Participant, SimConference? Conference, TwilioError? Error) AddParticipant(
        string accountSid, string authToken, string conference, IFormCollection form)
    {
        lock (_gate)
        {
            var room = Find(accountSid, conference);
            if (room is null && conference.StartsWith("CF", StringComparison.Ordinal) && conference.Length == 34)
            {
                return (null, null, TwilioError.Of(20404, 404, $"Conference {conference} was not found"));
            }

            if (room is { Status: "completed" })
            {
                return (null, null, TwilioError.Of(20404, 404, $"Conference {conference} has ended"));
            }

            var beep = NullIfEmpty(form["Beep"]) ?? "true";
            if (beep is not ("true" or "false" or "onEnter" or "onExit"))
            {
                return (null, null, TwilioError.Of(20001, 400, $"Beep '{beep}' is not valid; it must be one of true, false, onEnter, onExit"));
            }

            var (coaching, coachError) = ReadCoaching(room, null, form);
            if (coachError is not null)
            {
                return (null, null, coachError);
            }

            var settings = ConferenceSettings.Default;
            if (room is null)
            {
                var (read, invalid) = ConferenceSettings.Read(name => form[name], rest: true);
                if (read is null)
                {
                    return (null, null, invalid);
                }

                settings = read;
            }

            var conferenceSid = room?.Sid ?? TwilioFormat.NewSid("CF");
            var (call, error) = _calls.Create(accountSid, authToken, form, conferenceSid);
            if (call is null)
            {
                return (null, null, error);
            }

            room ??= NewRoom(conferenceSid, accountSid, authToken, conference, settings);

            var participant = new SimParticipant
            {
                Call = call,
                Label = NullIfEmpty(form["Label"]),
                DateCreated = _scheduler.Now,
                DateUpdated = _scheduler.Now,
                Muted = IsTrue(form["Muted"]),
                Coaching = coaching?.Coaching ?? false,
                CallSidToCoach = coaching?.CallSidToCoach,
                Beep = beep,
                StartConferenceOnEnter = !string.Equals(form["StartConferenceOnEnter"], "false", StringComparison.OrdinalIgnoreCase),
                EndConferenceOnExit = IsTrue(form["EndConferenceOnExit"]),
            };
            room.Participants.Add(participant);
            return (participant, room, null);
        }
    }

    /// <summary>
    /// <c>&lt;Dial&gt;&lt;Conference&gt;</c>: the answered <paramref name="call"/> joins the running room named
    /// <paramref name="name"/>, or creates it with <paramref name="settings"/>.
    /// </summary>
    /// <returns>
    /// <see cref="DialJoin.RoomFull"/> when the room is full (the participant leaves at once, <c>participant_add_failed</c>);
    /// <see cref="DialJoin.CoachNotPresent"/> when <c>coach</c> names no call in the room (Twilio's 13240; it does not join).
    /// </returns>
    public DialJoin JoinFromDial(SimCall call, string name, ConferenceSettings settings, DialParticipant options, DateTimeOffset at, Action<DateTimeOffset> dropped)
    {
        lock (_gate)
        {
            var room = Find(call.AccountSid, name);
            if (options.Coach is { } coach && room?.Participants.Any(p => p.IsPresent && p.Call.Sid == coach) != true)
            {
                return DialJoin.CoachNotPresent;
            }

            room ??= NewRoom(TwilioFormat.NewSid("CF"), call.AccountSid, call.AuthToken, name, settings);
            var participant = new SimParticipant
            {
                Call = call,
                Dropped = dropped,
                Label = options.Label,
                DateCreated = at,
                Muted = options.Muted,
                Coaching = options.Coach is not null,
                CallSidToCoach = options.Coach,
                Beep = options.Beep,
                StartConferenceOnEnter = options.StartConferenceOnEnter,
                EndConferenceOnExit = options.EndConferenceOnExit,
            };
            room.Participants.Add(participant);
            if (IsFull(room))
            {
                FailToJoin(room, participant, at);
                return DialJoin.RoomFull;
            }

            _twimlParticipants[call.Sid] = room;
            Connect(room, participant, at);
            return DialJoin.Joined;
        }
    }

    /// <summary>The <c>&lt;Dial&gt;&lt;Conference&gt;</c> of <paramref name="call"/> is over: the participant leaves, if it has not already.</summary>
    public void LeaveFromDial(SimCall call, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_twimlParticipants.Remove(call.Sid, out var room)
                && room.Participants.FirstOrDefault(p => p.Call == call) is { IsPresent: true } participant)
            {
                Depart(room, participant, "completed", at);
            }
        }
    }

    /// <summary>
    /// Participants update (REFERENCE §12.2): <c>Muted</c>, <c>Hold</c>, <c>HoldUrl</c>/<c>HoldMethod</c>,
    /// <c>AnnounceUrl</c>/<c>AnnounceMethod</c>, <c>Coaching</c>/<c>CallSidToCoach</c>, <c>BeepOnExit</c>,
    /// <c>EndConferenceOnExit</c>. Nothing changes when a field is invalid; null result and error: unknown participant.
    /// </summary>
    public (T? Result, TwilioError? Error) UpdateParticipant<T>(
        string accountSid, string conference, string callSidOrLabel, IFormCollection form, Func<SimConference, SimParticipant, T> read)
        where T : class
    {
        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room || FindParticipant(room, callSidOrLabel) is not { } participant)
            {
                return (null, null);
            }

            var (coaching, coachError) = ReadCoaching(room, participant, form);
            var holdUrl = NullIfEmpty(form["HoldUrl"]);
            var announceUrl = NullIfEmpty(form["AnnounceUrl"]);
            var error = coachError ?? InvalidUrl("HoldUrl", holdUrl) ?? InvalidUrl("AnnounceUrl", announceUrl);
            if (error is not null)
            {
                return (null, error);
            }

            var now = _scheduler.Now;
            participant.DateUpdated = now;
            if (form.ContainsKey("Muted") && IsTrue(form["Muted"]) != participant.Muted)
            {
                participant.Muted = !participant.Muted;
                Emit(room, "mute", participant.Muted ? "participant-mute" : "participant-unmute", now, participant);
            }

            if (holdUrl is not null)
            {
                participant.HoldUrl = holdUrl;
            }

            if (form.ContainsKey("HoldMethod"))
            {
                participant.HoldMethod = Method(form["HoldMethod"], "GET");
            }

            var holdStarted = false;
            if (form.ContainsKey("Hold") && IsTrue(form["Hold"]) != participant.Hold)
            {
                participant.Hold = !participant.Hold;
                holdStarted = participant.Hold;
                Emit(room, "hold", participant.Hold ? "participant-hold" : "participant-unhold", now, participant);
            }

            if (participant.Hold && participant.HoldUrl is { } music && (holdStarted || holdUrl is not null))
            {
                FetchHoldMusic(room, participant, music, now);
            }

            var modified = false;
            if (coaching is { } coach && (coach.Coaching != participant.Coaching || coach.CallSidToCoach != participant.CallSidToCoach))
            {
                participant.Coaching = coach.Coaching;
                participant.CallSidToCoach = coach.CallSidToCoach;
                modified = true;
            }

            if (form.ContainsKey("EndConferenceOnExit") && IsTrue(form["EndConferenceOnExit"]) != participant.EndConferenceOnExit)
            {
                participant.EndConferenceOnExit = !participant.EndConferenceOnExit;
                modified = true;
            }

            if (form.ContainsKey("BeepOnExit") && IsTrue(form["BeepOnExit"]) != participant.BeepOnExit)
            {
                participant.BeepOnExit = !participant.BeepOnExit;
                modified = true;
            }

            if (modified)
            {
                Emit(room, "modify", "participant-modify", now, participant);
            }

            if (announceUrl is not null)
            {
                Announce(room, participant, announceUrl, Method(form["AnnounceMethod"], "POST"), now);
            }

            return (read(room, participant), null);
        }
    }

    /// <summary>Participants delete: the participant is kicked and its call hung up.</summary>
    public bool RemoveParticipant(string accountSid, string conference, string callSidOrLabel)
    {
        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room || FindParticipant(room, callSidOrLabel) is not { } participant)
            {
                return false;
            }

            var now = _scheduler.Now;
            Leave(room, participant, "participant_updated_via_api", "in-progress", now);
            Drop(participant, now);
            if (participant.EndConferenceOnExit)
            {
                End(room, "participant-with-end-conference-on-exit-kicked", participant.Call.Sid, "moderator_ended_conference", now);
            }
            else if (!room.Participants.Any(p => p.IsPresent))
            {
                End(room, "last-participant-kicked", participant.Call.Sid, "conference_ended_via_api", now);
            }

            return true;
        }
    }

    /// <summary>
    /// Conference update (REFERENCE §12.1): <c>AnnounceUrl</c>/<c>AnnounceMethod</c> announce to everyone, then
    /// <c>Status=completed</c> drops everyone. A completed conference cannot be updated: 400 (as Twilio answers).
    /// Null result and error: unknown conference.
    /// </summary>
    public (T? Result, TwilioError? Error) UpdateConference<T>(string accountSid, string conference, IFormCollection form, Func<SimConference, T> read)
        where T : class
    {
        var status = NullIfEmpty(form["Status"]);
        var announceUrl = NullIfEmpty(form["AnnounceUrl"]);
        if (status is not (null or "completed"))
        {
            return (null, TwilioError.Of(20001, 400, $"Status must be completed, not {status}"));
        }

        if (InvalidUrl("AnnounceUrl", announceUrl) is { } invalid)
        {
            return (null, invalid);
        }

        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room)
            {
                return (null, null);
            }

            if (room.Status == "completed" && (status is not null || announceUrl is not null))
            {
                return (null, TwilioError.Of(20001, 400, $"Conference {room.Sid} is completed and cannot be updated"));
            }

            var now = _scheduler.Now;
            if (announceUrl is not null)
            {
                Announce(room, null, announceUrl, Method(form["AnnounceMethod"], "POST"), now);
            }

            if (status is not null)
            {
                End(room, "conference-ended-via-api", null, "conference_ended_via_api", now);
            }

            return (read(room), null);
        }
    }

    /// <summary>
    /// Admin speech event: the participant starts or stops speaking (<c>participant-speech-start</c>/<c>-stop</c> when
    /// the room subscribed <c>speaker</c>; a repeated state sends nothing). False for an unknown room or participant.
    /// </summary>
    public bool Speak(string accountSid, string conference, string callSid, bool speaking)
    {
        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room
                || room.Participants.FirstOrDefault(p => p.IsPresent && p.Call.Sid == callSid) is not { } participant)
            {
                return false;
            }

            var now = _scheduler.Now;
            if (speaking && participant.SpeakingSince is null)
            {
                participant.SpeakingSince = now;
                Emit(room, "speaker", "participant-speech-start", now, participant);
            }
            else if (!speaking && participant.SpeakingSince is not null)
            {
                participant.StopSpeaking(now);
                Emit(room, "speaker", "participant-speech-stop", now, participant);
            }

            return true;
        }
    }

    private void Joined(SimCall call, DateTimeOffset at)
    {
        if (call.ConferenceSid is null)
        {
            return;
        }

        lock (_gate)
        {
            if (FindBySid(call.ConferenceSid) is not { Status: not "completed" } room
                || room.Participants.FirstOrDefault(p => p.Call == call) is not { Status: "queued" } participant)
            {
                return;
            }

            if (IsFull(room))
            {
                FailToJoin(room, participant, at);
                HangUpLater(call, at);
                return;
            }

            Connect(room, participant, at);
        }
    }

    private static bool IsFull(SimConference room) => room.Participants.Count(p => p.IsPresent) >= room.MaxParticipants;

    /// <summary>The room is full (Twilio's error 16020): the participant leaves at once with <c>participant_add_failed</c>.</summary>
    private void FailToJoin(SimConference room, SimParticipant participant, DateTimeOffset at)
    {
        room.Roster.Add(participant);
        Leave(room, participant, "participant_add_failed", "in-progress", at);
        participant.Status = "failed";
    }

    /// <summary>
    /// Reads <c>Coaching</c>/<c>CallSidToCoach</c> (REFERENCE §12.2): null when neither is given. <c>Coaching=true</c>
    /// needs <c>CallSidToCoach</c> (400, 20001); a CallSid not present in the room is 400, 16028 (Twilio's "participant to
    /// be whispered is not present"). <c>CallSidToCoach</c> alone means coaching; <c>Coaching=false</c> clears it.
    /// </summary>
    private static ((bool Coaching, string? CallSidToCoach)? Value, TwilioError? Error) ReadCoaching(
        SimConference? room, SimParticipant? participant, IFormCollection form)
    {
        var callSidToCoach = NullIfEmpty(form["CallSidToCoach"]);
        bool? coaching = form.ContainsKey("Coaching") ? IsTrue(form["Coaching"]) : callSidToCoach is not null ? true : null;
        if (coaching is not { } value)
        {
            return (null, null);
        }

        if (!value)
        {
            return ((false, null), null);
        }

        if (callSidToCoach is null)
        {
            return (null, TwilioError.Of(20001, 400, "CallSidToCoach is required when Coaching is true"));
        }

        var present = room?.Participants.Any(p => p.IsPresent && p != participant && p.Call.Sid == callSidToCoach) ?? false;
        return present
            ? ((true, callSidToCoach), null)
            : (null, TwilioError.Of(16028, 400, $"CallSidToCoach {callSidToCoach} is not a participant present in the conference"));
    }

    /// <summary>
    /// Fetches an announcement (signed webhook, kind <c>announce</c>) for the participant, or for everyone when
    /// <paramref name="participant"/> is null, then sends <c>announcement-end</c>, or <c>announcement-fail</c> with
    /// <c>ReasonAnnouncementFailed</c> when the fetch fails or returns neither audio nor TwiML.
    /// </summary>
    private void Announce(SimConference room, SimParticipant? participant, string url, string method, DateTimeOffset at) =>
        _webhooks.Fetch(RoomFetch("announce", room, participant, url, method, at), (response, due) =>
        {
            lock (_gate)
            {
                if (room.Status == "completed")
                {
                    return;
                }

                var failure = response switch
                {
                    { IsSuccess: false } => $"HTTP retrieval failure: {(response.Status?.ToString(CultureInfo.InvariantCulture) ?? response.Error)}",
                    { ContentType: { } type } when type.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
                        || type is "text/xml" or "application/xml" => null,
                    _ => $"Invalid Content-Type {response.ContentType ?? "(none)"}",
                };
                List<KeyValuePair<string, string>> extra = [new("AnnounceUrl", url)];
                if (failure is not null)
                {
                    extra.Add(new("ReasonAnnouncementFailed", failure));
                }

                Emit(room, "announcement", failure is null ? "announcement-end" : "announcement-fail", due, participant, extra);
            }
        });

    /// <summary>Requests the participant's hold music (signed webhook, kind <c>hold</c>); Twilio plays what it returns.</summary>
    private void FetchHoldMusic(SimConference room, SimParticipant participant, string url, DateTimeOffset at) =>
        _webhooks.Fetch(RoomFetch("hold", room, participant, url, participant.HoldMethod, at), (_, _) => { });

    private static WebhookJob RoomFetch(string kind, SimConference room, SimParticipant? participant, string url, string method, DateTimeOffset at)
    {
        List<KeyValuePair<string, string>> parameters =
        [
            new("AccountSid", room.AccountSid),
            new("ApiVersion", TwilioFormat.ApiVersion),
            new("ConferenceSid", room.Sid),
            new("FriendlyName", room.FriendlyName),
        ];
        if (participant is not null)
        {
            parameters.Add(new("CallSid", participant.Call.Sid));
        }

        return new WebhookJob
        {
            Kind = kind,
            CallSid = participant?.Call.Sid,
            ConferenceSid = room.Sid,
            Url = url,
            Method = method,
            AuthToken = room.AuthToken,
            GeneratedAt = at,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters = parameters,
        };
    }

    private static TwilioError? InvalidUrl(string field, string? url) =>
        url is null || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            ? null
            : TwilioError.Of(21205, 400, $"{field} is not a valid URL: {url}");

    private static string Method(Microsoft.Extensions.Primitives.StringValues value, string fallback) =>
        string.IsNullOrEmpty(value.ToString()) ? fallback
        : string.Equals(value.ToString(), "GET", StringComparison.OrdinalIgnoreCase) ? "GET" : "POST";

    /// <summary>The participant is in the room; the second one present (with one that starts it) starts the conference and its recording.</summary>
    private void Connect(SimConference room, SimParticipant participant, DateTimeOffset at)
    {
        participant.Status = "connected";
        participant.DateUpdated = at;
        participant.JoinedAt = at;
        room.Roster.Add(participant);
        room.DateUpdated = at;
        Emit(room, "join", "participant-join", at, participant);
        var present = room.Participants.Where(p => p.IsPresent).ToList();
        if (room.Status == "init" && present.Count >= 2 && present.Any(p => p.StartConferenceOnEnter))
        {
            room.Status = "in-progress";
            room.StartedAt = at;
            Emit(room, "start", "conference-start", at, null);
            if (room.Record)
            {
                var recording = SimRecording.StartConference(room.AccountSid, room.Sid, at, room.RecordingCallbacks);
                room.Recording = recording;
                _recordings.Add(recording);
                lock (recording.Gate)
                {
                    NotifyRecording(room, recording, SimRecording.InProgress, at);
                }
            }
        }
    }

    private void CallEnded(SimCall call, DateTimeOffset at)
    {
        lock (_gate)
        {
            var room = call.ConferenceSid is { } sid ? FindBySid(sid) : _twimlParticipants.GetValueOrDefault(call.Sid);
            _twimlParticipants.Remove(call.Sid);
            if (room is null || room.Participants.FirstOrDefault(p => p.Call == call) is not { } participant)
            {
                return;
            }

            if (participant.Status == "queued")
            {
                participant.Status = "failed";
                participant.DateUpdated = at;
                return;
            }

            if (!participant.IsPresent)
            {
                return;
            }

            Depart(room, participant, call.Status, at);
        }
    }

    /// <summary>The participant hung up or its <c>&lt;Dial&gt;</c> ended; the conference ends if it was the last one or ends it on exit.</summary>
    private void Depart(SimConference room, SimParticipant participant, string callStatus, DateTimeOffset at)
    {
        Leave(room, participant, "participant_hung_up", callStatus, at);
        if (room.Status == "completed")
        {
            return;
        }

        if (participant.EndConferenceOnExit)
        {
            End(room, "participant-with-end-conference-on-exit-left", participant.Call.Sid, "moderator_ended_conference", at);
        }
        else if (!room.Participants.Any(p => p.IsPresent))
        {
            End(room, "last-participant-left", participant.Call.Sid, "conference_ended_via_api", at);
        }
    }

    private void Leave(SimConference room, SimParticipant participant, string reason, string callStatus, DateTimeOffset at)
    {
        participant.Status = "complete";
        participant.DateUpdated = at;
        participant.LeftAt = at;
        participant.ReasonLeft = reason;
        participant.StopSpeaking(at);
        room.DateUpdated = at;
        Emit(room, "leave", "participant-leave", at, participant,
            [new("ParticipantCallStatus", callStatus), new("ReasonParticipantLeft", reason)]);
    }

    /// <summary>Ends the room: the others leave (with <paramref name="othersReason"/>) and their calls are hung up.</summary>
    private void End(SimConference room, string reason, string? endingCallSid, string othersReason, DateTimeOffset at)
    {
        foreach (var other in room.Participants.Where(p => p.IsPresent).ToList())
        {
            Leave(room, other, othersReason, "in-progress", at);
            Drop(other, at);
        }

        foreach (var waiting in room.Participants.Where(p => p.Status == "queued"))
        {
            HangUpLater(waiting.Call, at);
        }

        room.Status = "completed";
        room.ReasonConferenceEnded = reason;
        room.CallSidEndingConference = endingCallSid;
        room.DateUpdated = at;
        room.EndedAt = at;
        List<KeyValuePair<string, string>> extra = [new("ReasonConferenceEnded", reason), new("Reason", reason)];
        if (endingCallSid is not null)
        {
            extra.Add(new("CallSidEndingConference", endingCallSid));
            if (room.Participants.FirstOrDefault(p => p.Call.Sid == endingCallSid)?.Label is { } label)
            {
                extra.Add(new("ParticipantLabelEndingConference", label));
            }
        }

        Emit(room, "end", "conference-end", at, null, extra);
        if (room.Recording is { } recording)
        {
            lock (recording.Gate)
            {
                recording.Complete(at);
                NotifyRecording(room, recording, recording.Status, at);
            }
        }
    }

    /// <summary>Sends the recording's status callback if the room asked for <paramref name="status"/> (under the recording's lock).</summary>
    private void NotifyRecording(SimConference room, SimRecording recording, string status, DateTimeOffset at)
    {
        if (recording.Callbacks is { } callbacks && callbacks.Events.Contains(status))
        {
            _webhooks.Dispatch(RecordingCallback.For(room, recording, status, at));
        }
    }

    private SimConference NewRoom(string sid, string accountSid, string authToken, string name, ConferenceSettings settings)
    {
        var room = new SimConference
        {
            Sid = sid,
            AccountSid = accountSid,
            AuthToken = authToken,
            FriendlyName = name,
            DateCreated = _scheduler.Now,
            DateUpdated = _scheduler.Now,
            StatusCallback = settings.StatusCallback,
            StatusCallbackMethod = settings.StatusCallbackMethod,
            Events = settings.Events,
            Record = settings.Record,
            RecordingCallbacks = settings.RecordingCallbacks,
            MaxParticipants = settings.MaxParticipants,
        };
        _conferences.Add(room);
        return room;
    }

    /// <summary>The room let go of <paramref name="participant"/>: its TwiML continues, or its call is hung up.</summary>
    private void Drop(SimParticipant participant, DateTimeOffset at)
    {
        if (participant.Dropped is { } dropped)
        {
            _twimlParticipants.Remove(participant.Call.Sid);
            _scheduler.Schedule(at, dropped);
        }
        else
        {
            HangUpLater(participant.Call, at);
        }
    }

    /// <summary>Hangs up after the current step, outside this lock (the call's lock comes first elsewhere).</summary>
    private void HangUpLater(SimCall call, DateTimeOffset at) => _scheduler.Schedule(at, due => _calls.HangUp(call, due));

    private void Emit(
        SimConference room, string subscription, string callbackEvent, DateTimeOffset at, SimParticipant? participant,
        IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        if (room.StatusCallback is not { } url || !room.Events.Contains(subscription))
        {
            return;
        }

        List<KeyValuePair<string, string>> parameters =
        [
            new("AccountSid", room.AccountSid),
            new("ConferenceSid", room.Sid),
            new("FriendlyName", room.FriendlyName),
            new("SequenceNumber", (room.SequenceNumber++).ToString(CultureInfo.InvariantCulture)),
            new("StatusCallbackEvent", callbackEvent),
            new("Timestamp", TwilioFormat.Rfc2822(at)),
        ];
        if (participant is not null)
        {
            parameters.Add(new("CallSid", participant.Call.Sid));
            parameters.Add(new("Coaching", Bool(participant.Coaching)));
            parameters.Add(new("EndConferenceOnExit", Bool(participant.EndConferenceOnExit)));
            parameters.Add(new("Hold", Bool(participant.Hold)));
            parameters.Add(new("Muted", Bool(participant.Muted)));
            parameters.Add(new("StartConferenceOnEnter", Bool(participant.StartConferenceOnEnter)));
            if (participant.Label is { } label)
            {
                parameters.Add(new("ParticipantLabel", label));
            }
        }

        parameters.AddRange(extra ?? []);
        _webhooks.Dispatch(new WebhookJob
        {
            Kind = "conference",
            CallSid = null,
            ConferenceSid = room.Sid,
            IsLast = callbackEvent == "conference-end",
            Url = url,
            Method = room.StatusCallbackMethod,
            AuthToken = room.AuthToken,
            GeneratedAt = at,
            IdempotencyToken = TwilioFormat.NewSid(""),
            Parameters = parameters,
        });
    }

    private SimConference? Find(string accountSid, string sidOrName) =>
        _conferences.LastOrDefault(c => c.AccountSid == accountSid
            && (c.Sid == sidOrName || (c.FriendlyName == sidOrName && c.Status != "completed")));

    private SimConference? FindBySid(string sid) => _conferences.FirstOrDefault(c => c.Sid == sid);

    private static SimParticipant? FindParticipant(SimConference room, string callSidOrLabel) =>
        room.Participants.FirstOrDefault(p => p.IsPresent && (p.Call.Sid == callSidOrLabel || p.Label == callSidOrLabel));

    private static string Bool(bool value) => value ? "true" : "false";

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        string.Equals(value.ToString(), "true", StringComparison.OrdinalIgnoreCase);

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value[0];
}
