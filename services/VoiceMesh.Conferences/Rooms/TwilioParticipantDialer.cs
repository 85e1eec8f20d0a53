using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// Dials a participant into a room through Twilio's Participants create (official SDK, resilience pipeline). Twilio
/// fixes a conference's status callback and events with its first participant and ignores later values (REFERENCE
/// §3.1), so every dial sets the room's settings identically: all conference events to the gateway's
/// <c>/twilio/conference/status</c>, and the conference recording's callbacks where Twilio honours them
/// (<c>ConferenceRecordingStatusCallback</c>, not the participant's <c>RecordingStatusCallback</c>).
/// </summary>
public sealed class TwilioParticipantDialer(ITwilioRestClient client, IOptions<ConferencesOptions> options)
{
    /// <summary>Every conference event Twilio can send (REFERENCE §3.1).</summary>
    public static readonly IReadOnlyList<string> ConferenceEvents = ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"];

    /// <summary>The conference recording's callbacks (REFERENCE §12.2).</summary>
    public static readonly IReadOnlyList<string> RecordingEvents = ["in-progress", "completed", "absent"];

    /// <summary>The participant call's own progress events, for its call lifecycle.</summary>
    public static readonly IReadOnlyList<string> CallEvents = ["initiated", "ringing", "answered", "completed"];

    public CreateParticipantOptions Options(Room room, ParticipantDialRequested dial)
    {
        var baseUrl = options.Value.PublicBaseUrl.TrimEnd('/');
        var settings = room.Options;
        return new CreateParticipantOptions(room.FriendlyName, new PhoneNumber(dial.From), new PhoneNumber(dial.To))
        {
            Label = dial.Label,
            Muted = dial.Muted,
            StartConferenceOnEnter = dial.Role == ParticipantRole.Moderator || !settings.StartOnFirstModerator,
            EndConferenceOnExit = dial.Role == ParticipantRole.Moderator && settings.EndWhenModeratorLeaves,
            Coaching = dial.Role == ParticipantRole.Coach ? true : null,
            CallSidToCoach = dial.CallSidToCoach,
            StatusCallback = new Uri(baseUrl + "/twilio/voice/status"),
            StatusCallbackMethod = Twilio.Http.HttpMethod.Post,
            StatusCallbackEvent = [.. CallEvents],
            ConferenceStatusCallback = new Uri(baseUrl + "/twilio/conference/status"),
            ConferenceStatusCallbackMethod = Twilio.Http.HttpMethod.Post,
            ConferenceStatusCallbackEvent = [.. ConferenceEvents],
            ConferenceRecord = settings.Record ? "record-from-start" : "do-not-record",
            ConferenceRecordingStatusCallback = new Uri(baseUrl + "/twilio/recording/status"),
            ConferenceRecordingStatusCallbackMethod = Twilio.Http.HttpMethod.Post,
            ConferenceRecordingStatusCallbackEvent = [.. RecordingEvents],
            MaxParticipants = settings.MaxParticipants,
            WaitUrl = settings.WaitUrl is { } wait ? new Uri(wait) : null,
            Region = settings.Region,
            Beep = settings.Beep?.ToWire(),
        };
    }

    /// <summary>Dials; returns the participant's CallSid and the conference's sid.</summary>
    public async Task<(string CallSid, string ConferenceSid)> Dial(Room room, ParticipantDialRequested dial)
    {
        var participant = await ParticipantResource.CreateAsync(Options(room, dial), client);
        return (participant.CallSid, participant.ConferenceSid);
    }

    /// <summary>
    /// What the dial's attempt in doubt had created, if anything: a call to its To from its From since the attempt
    /// began that no other dial of the room claims (<see cref="CreateAttempts.FindCallCreatedSince"/>), in the room's
    /// conference (known from an earlier dial, or the newest conference of the room's name since the room opened).
    /// </summary>
    public async Task<(string CallSid, string ConferenceSid)?> FindDialed(Room room, RoomDial dial, CancellationToken cancellationToken)
    {
        var claimed = room.Dials.Where(d => d.CallSid is not null).Select(d => d.CallSid!).ToHashSet(StringComparer.Ordinal);
        var callSid = await CreateAttempts.FindCallCreatedSince(
            client, dial.Request.To, dial.Request.From, dial.AttemptInDoubtSince ?? dial.Request.RequestedAt, claimed, cancellationToken);
        if (callSid is null)
        {
            return null;
        }

        var conferenceSid = room.ConferenceSid ?? await NewestConference(room, cancellationToken);
        return conferenceSid is null ? null : (callSid, conferenceSid);
    }

    private async Task<string?> NewestConference(Room room, CancellationToken cancellationToken)
    {
        var conferences = await ConferenceResource.ReadAsync(new ReadConferenceOptions { FriendlyName = room.FriendlyName, PageSize = 20 }, client);
        cancellationToken.ThrowIfCancellationRequested();
        var opened = room.CreatedAt.UtcDateTime.AddSeconds(-5);
        return conferences
            .Where(c => c.DateCreated is { } created && created.ToUniversalTime() >= opened)
            .OrderByDescending(c => c.DateCreated)
            .Select(c => c.Sid)
            .FirstOrDefault();
    }
}
