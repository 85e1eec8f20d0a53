using System.Globalization;
using System.Xml.Linq;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Conferences;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.TwimlRuntime;

/// <summary><c>&lt;Dial&gt;</c> of numbers, clients, SIP URIs and conferences (REFERENCE §9.8).</summary>
internal sealed partial class TwimlEngine
{
    private void Dial(TwimlSession session, TwimlDocument document, XElement verb, VerbLog entry, Resume resume, DateTimeOffset at)
    {
        var nouns = verb.Elements().ToList();
        var timeout = Seconds(Int(verb, "timeout", 30));
        var dial = new DialState
        {
            Entry = entry,
            Action = Attr(verb, "action") is { } action ? Resolve(document.Url, action) : null,
            Method = Method(Attr(verb, "method")),
            After = resume,
            DialCallSid = TwilioFormat.NewSid("CA"),
            Record = Attr(verb, "record") is { } record && record is not ("do-not-record" or "false"),
            TimeLimit = Seconds(Int(verb, "timeLimit", 14400)),
        };
        session.Dial = dial;
        if (nouns.FirstOrDefault(n => n.Name.LocalName == "Queue") is { } queueNoun)
        {
            entry.Text = queueNoun.Value.Trim();
            var queue = QueueNamed(session.Call.AccountSid, entry.Text, at, null);
            if (queue.Members.Count > 0)
            {
                StartBridge(session, dial, queue.Members[0], at);
                return;
            }

            queue.Waiters.Add(session);
            dial.WaitingOn = queue;
            After(session, at + timeout, due =>
            {
                queue.Waiters.Remove(session);
                dial.WaitingOn = null;
                FinishDial(session, dial, "no-answer", due);
            });
            return;
        }

        if (nouns.FirstOrDefault(n => n.Name.LocalName == "Conference") is { } conference)
        {
            entry.Text = conference.Value.Trim();
            Answer(session, at);
            var (settings, _) = ConferenceSettings.Read(name => [ConferenceAttr(document, conference, name)], rest: false);
            var epoch = session.Epoch;
            var participant = new DialParticipant(
                Attr(conference, "startConferenceOnEnter") != "false", Attr(conference, "endConferenceOnExit") == "true", IsTrue(conference, "muted"),
                NullIfEmpty(Attr(conference, "participantLabel")), NullIfEmpty(Attr(conference, "coach")), Attr(conference, "beep") ?? "true");
            var joined = conferences.JoinFromDial(
                session.Call, entry.Text, settings ?? ConferenceSettings.Default, participant, at,
                dropped => Locked(() =>
                {
                    if (!session.Ended && session.Epoch == epoch && session.Dial == dial)
                    {
                        FinishDial(session, dial, "completed", dropped);
                    }
                }));
            if (joined == DialJoin.CoachNotPresent)
            {
                session.ErrorCode = 13240;
                session.ErrorMessage = $"Dial->Conference: invalid whisper SID {participant.Coach}: that call is not in the conference";
                LogTwimlError(logger, session.Call.Sid, 13240, session.ErrorMessage);
            }

            if (joined != DialJoin.Joined)
            {
                FinishDial(session, dial, "failed", at);
                return;
            }

            dial.AnsweredAt = at;

            var stay = session.Call.Outcome.TalkSeconds is { } talk ? Min(Seconds(talk), dial.TimeLimit) : dial.TimeLimit;
            After(session, at + stay, due =>
            {
                if (session.Dial == dial)
                {
                    conferences.LeaveFromDial(session.Call, due);
                    FinishDial(session, dial, "completed", due);
                }
            });
            return;
        }

        var targets = nouns.Count == 0 ? [verb.Value.Trim()] : nouns.Select(n => n.Value.Trim()).ToList();
        entry.Text = string.Join(",", targets);
        var dialable = nouns.Count == 0 || nouns.Any(n => n.Name.LocalName is "Number" or "Client" or "Sip");
        var legs = targets.Select(to => Leg(outcomes.For(to), dialable, timeout)).ToList();
        var leg = legs.Where(l => l.Status == "answered").OrderBy(l => l.After).FirstOrDefault()
            ?? legs.FirstOrDefault(l => l.Status == "no-answer")
            ?? legs.Where(l => l.Status == "busy").OrderByDescending(l => l.After).FirstOrDefault()
            ?? legs[0];
        if (leg.Status != "answered")
        {
            After(session, at + leg.After, due => FinishDial(session, dial, leg.Status, due));
            return;
        }

        After(session, at + leg.After, due =>
        {
            Answer(session, due);
            dial.AnsweredAt = due;
            After(session, due + Min(leg.Talk, dial.TimeLimit), end => FinishDial(session, dial, "completed", end));
        });
    }

    /// <summary>A <c>&lt;Conference&gt;</c> attribute; callback URLs resolved against the document's URL.</summary>
    private static string? ConferenceAttr(TwimlDocument document, XElement conference, string name) =>
        Attr(conference, name) is { Length: > 0 } value && name.EndsWith("Callback", StringComparison.Ordinal)
            ? Resolve(document.Url, value)
            : Attr(conference, name);

    /// <summary>A dialled leg's result from the outcome script: answered, busy, no-answer or failed, when, and its talk time.</summary>
    private DialLeg Leg(OutcomeRule rule, bool dialable, TimeSpan timeout)
    {
        var ring = rule.RingSeconds is { } r ? Seconds(r) : options.Scaled(options.AnswerDelay);
        var talk = rule.TalkSeconds is { } t ? Seconds(t) : options.Scaled(options.TalkDuration);
        return rule.Outcome switch
        {
            _ when !dialable => new DialLeg("failed", options.Scaled(options.RingDelay), talk),
            CallOutcomeKind.Failed => new DialLeg("failed", options.Scaled(options.RingDelay), talk),
            CallOutcomeKind.NoAnswer => new DialLeg("no-answer", timeout, talk),
            _ when ring >= timeout => new DialLeg("no-answer", timeout, talk),
            CallOutcomeKind.Busy => new DialLeg("busy", ring, talk),
            _ => new DialLeg("answered", ring, talk),
        };
    }

    private void FinishDial(TwimlSession session, DialState dial, string status, DateTimeOffset at)
    {
        session.Dial = null;
        dial.Entry.Outcome = status;
        ContinueAfter(session, dial.Action, dial.Method, DialParameters(session, dial, status, at), dial.After, at);
    }

    private List<KeyValuePair<string, string>> DialParameters(TwimlSession session, DialState dial, string status, DateTimeOffset at)
    {
        var seconds = dial.AnsweredAt is { } answered ? WholeSeconds(at - answered) : 0;
        List<KeyValuePair<string, string>> parameters =
        [
            new("DialBridged", dial.AnsweredAt is null ? "false" : "true"),
            new("DialCallDuration", seconds.ToString(CultureInfo.InvariantCulture)),
            new("DialCallSid", dial.DialCallSid),
            new("DialCallStatus", status),
        ];
        if (dial.Record && dial.AnsweredAt is { } start && seconds > 0)
        {
            var recording = SimRecording.Finished(session.Call.AccountSid, session.Call.Sid, start, at, seconds, "DialVerb");
            recordings.Add(recording);
            parameters.Add(new("RecordingDuration", seconds.ToString(CultureInfo.InvariantCulture)));
            parameters.Add(new("RecordingSid", recording.Sid));
            parameters.Add(new("RecordingUrl", RecordingEndpoints.MediaUrl(recording.AccountSid, recording.Sid)));
        }

        return parameters;
    }
}
