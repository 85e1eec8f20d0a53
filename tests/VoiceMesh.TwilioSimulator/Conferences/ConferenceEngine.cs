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
                    (int)Math.Round((p.Spoken + (p.SpeakingSince is { } since ? now - since : TimeSpan.Zero)).TotalSeconds)))]);
        }
    }

    /// <summary>Participants create: dials <c>To</c> and joins it to the running conference named or identified by <paramref name="conference"/>.</summary>
    public (SimParticipant? Participant, SimConference? Conference, TwilioError? Error) AddParticipant(
        string accountSid, string authToken, string conference, IFormCollection form)
    {
        lock (_gate)
        {
            var room = Find(accountSid, conference);
            if (room is null)
            {
                if (conference.StartsWith("CF", StringComparison.Ordinal) && conference.Length == 34)
                {
                    return (null, null, TwilioError.Of(20404, 404, $"Conference {conference} was not found"));
                }

                var (settings, invalid) = ConferenceSettings.Read(name => form[name], rest: true);
                if (settings is null)
                {
                    return (null, null, invalid);
                }

                room = NewRoom(accountSid, authToken, conference, settings);
            }
            else if (room.Status == "completed")
            {
                return (null, null, TwilioError.Of(20404, 404, $"Conference {conference} has ended"));
            }

            var (call, error) = _calls.Create(accountSid, authToken, form, room.Sid);
            if (call is null)
            {
                return (null, null, error);
            }

            var participant = new SimParticipant
            {
                Call = call,
                Label = NullIfEmpty(form["Label"]),
                DateCreated = _scheduler.Now,
                DateUpdated = _scheduler.Now,
                Muted = IsTrue(form["Muted"]),
                Coaching = IsTrue(form["Coaching"]),
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
    public void JoinFromDial(
        SimCall call, string name, ConferenceSettings settings, bool startConferenceOnEnter, bool endConferenceOnExit, DateTimeOffset at,
        Action<DateTimeOffset> dropped)
    {
        lock (_gate)
        {
            var room = Find(call.AccountSid, name) ?? NewRoom(call.AccountSid, call.AuthToken, name, settings);
            var participant = new SimParticipant
            {
                Call = call,
                Dropped = dropped,
                DateCreated = at,
                StartConferenceOnEnter = startConferenceOnEnter,
                EndConferenceOnExit = endConferenceOnExit,
            };
            room.Participants.Add(participant);
            _twimlParticipants[call.Sid] = room;
            Connect(room, participant, at);
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

    /// <summary>Participants update: <c>Muted</c>, <c>Hold</c>, <c>EndConferenceOnExit</c>.</summary>
    public T? UpdateParticipant<T>(string accountSid, string conference, string callSidOrLabel, IFormCollection form, Func<SimConference, SimParticipant, T> read)
        where T : class
    {
        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room || FindParticipant(room, callSidOrLabel) is not { } participant)
            {
                return null;
            }

            var now = _scheduler.Now;
            participant.DateUpdated = now;
            if (form.ContainsKey("Muted") && IsTrue(form["Muted"]) != participant.Muted)
            {
                participant.Muted = !participant.Muted;
                Emit(room, "mute", participant.Muted ? "participant-mute" : "participant-unmute", now, participant);
            }

            if (form.ContainsKey("Hold") && IsTrue(form["Hold"]) != participant.Hold)
            {
                participant.Hold = !participant.Hold;
                Emit(room, "hold", participant.Hold ? "participant-hold" : "participant-unhold", now, participant);
            }

            if (form.ContainsKey("EndConferenceOnExit") && IsTrue(form["EndConferenceOnExit"]) != participant.EndConferenceOnExit)
            {
                participant.EndConferenceOnExit = !participant.EndConferenceOnExit;
                Emit(room, "modify", "participant-modify", now, participant);
            }

            return read(room, participant);
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

    /// <summary>Conference update <c>Status=completed</c>: everyone is dropped.</summary>
    public T? EndConference<T>(string accountSid, string conference, Func<SimConference, T> read)
        where T : class
    {
        lock (_gate)
        {
            if (Find(accountSid, conference) is not { } room)
            {
                return null;
            }

            if (room.Status != "completed")
            {
                End(room, "conference-ended-via-api", null, "conference_ended_via_api", _scheduler.Now);
            }

            return read(room);
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

            Connect(room, participant, at);
        }
    }

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

    private SimConference NewRoom(string accountSid, string authToken, string name, ConferenceSettings settings)
    {
        var room = new SimConference
        {
            Sid = TwilioFormat.NewSid("CF"),
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
