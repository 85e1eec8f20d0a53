using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Tests;

/// <summary>The callbacks of one scripted room, in Twilio's order, as the consumer turns them into reports.</summary>
internal static class RoomScript
{
    public const string ConferenceSid = "CF0123456789abcdef0123456789abcdef";
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    public static string Call(int i) => "CA" + i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A moderator (call 0, ends the room on exit) and five attendees join; 1 and 2 are muted and unmuted, 3 is held and
    /// unheld, 4 speaks for 7 s, 5 is removed, the moderator leaves and the room ends.
    /// </summary>
    public static List<ConferenceEventReported> Reports()
    {
        var reports = new List<ConferenceEventReported>();
        var state = Enumerable.Range(0, 6).ToDictionary(i => i, _ => (Muted: false, Hold: false));
        var seconds = 0;

        void Add(ConferenceCallbackEvent kind, int? call, Func<ConferenceEventReported, ConferenceEventReported>? extra = null)
        {
            var at = Start.AddSeconds(seconds++);
            var report = new ConferenceEventReported
            {
                ConferenceSid = ConferenceSid,
                FriendlyName = "standup",
                Kind = kind,
                SequenceNumber = reports.Count + 1,
                Timestamp = at,
                MessageId = $"m{reports.Count + 1}",
                ReceivedAt = at.AddMilliseconds(300),
            };
            if (call is { } i)
            {
                report = report with
                {
                    CallSid = Call(i),
                    Label = i == 0 ? "moderator" : null,
                    Muted = state[i].Muted,
                    Hold = state[i].Hold,
                    Coaching = false,
                    EndConferenceOnExit = i == 0,
                    StartConferenceOnEnter = true,
                };
            }

            reports.Add(extra is null ? report : extra(report));
        }

        for (var i = 0; i < 6; i++)
        {
            Add(ConferenceCallbackEvent.ParticipantJoin, i);
            if (i == 1)
            {
                Add(ConferenceCallbackEvent.ConferenceStart, null);
            }
        }

        foreach (var i in new[] { 1, 2 })
        {
            state[i] = state[i] with { Muted = true };
            Add(ConferenceCallbackEvent.ParticipantMute, i);
        }

        state[3] = state[3] with { Hold = true };
        Add(ConferenceCallbackEvent.ParticipantHold, 3);
        Add(ConferenceCallbackEvent.ParticipantSpeechStart, 4);
        seconds += 6;
        Add(ConferenceCallbackEvent.ParticipantSpeechStop, 4);
        foreach (var i in new[] { 1, 2 })
        {
            state[i] = state[i] with { Muted = false };
            Add(ConferenceCallbackEvent.ParticipantUnmute, i);
        }

        state[3] = state[3] with { Hold = false };
        Add(ConferenceCallbackEvent.ParticipantUnhold, 3);
        Add(ConferenceCallbackEvent.ParticipantLeave, 5, r => r with { ReasonParticipantLeft = ParticipantLeftReason.ParticipantUpdatedViaApi });
        Add(ConferenceCallbackEvent.ParticipantLeave, 0, r => r with { ReasonParticipantLeft = ParticipantLeftReason.ParticipantHungUp });
        foreach (var i in new[] { 1, 2, 3, 4 })
        {
            Add(ConferenceCallbackEvent.ParticipantLeave, i, r => r with { ReasonParticipantLeft = ParticipantLeftReason.ModeratorEndedConference, Timestamp = reports[^1].Timestamp });
        }

        Add(ConferenceCallbackEvent.ConferenceEnd, null, r => r with
        {
            ReasonConferenceEnded = ConferenceEndedReason.ParticipantWithEndConferenceOnExitLeft,
            CallSidEndingConference = Call(0),
            Timestamp = reports[^1].Timestamp,
        });
        return reports;
    }

    /// <summary>Applies reports the way the consumer and Marten do: decide on the current state, then create or apply.</summary>
    public static Conference? Fold(IEnumerable<ConferenceEventReported> reports) => Replay(reports).Conference;

    /// <summary>As <see cref="Fold"/>, with the reports the stream took in the order it took them (its events).</summary>
    public static (Conference? Conference, List<object> Stream) Replay(IEnumerable<ConferenceEventReported> reports)
    {
        Conference? conference = null;
        var stream = new List<object>();
        foreach (var report in reports)
        {
            foreach (var e in Conference.Decide(conference, report).Events.Cast<ConferenceEventReported>())
            {
                conference = conference is null ? Conference.Create(e) : conference.Apply(e);
                stream.Add(e);
            }
        }

        return (conference, stream);
    }
}
