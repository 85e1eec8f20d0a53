using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>
/// Performs stored decisions at Twilio through the official SDK. Right after its commit a participant change is sent
/// as it is (<see cref="Update"/>: the latest stored request asks for it); the outbox's copies read Twilio's state first
/// (<see cref="Change"/>) so a repeat changes nothing: a participant already muted (held, coaching) is not updated
/// again, one who left is not removed again, a completed conference is not ended again.
/// </summary>
public sealed partial class TwilioConferenceControl(ITwilioRestClient client, ILogger<TwilioConferenceControl> logger)
{
    /// <summary>Sends the change without reading Twilio's state: the request just stored is the latest for its flag.</summary>
    public async Task Update(ApplyParticipantChange change)
    {
        var update = new UpdateParticipantOptions(change.ConferenceSid, change.CallSid)
        {
            Muted = change.Muted,
            Hold = change.Hold,
            HoldUrl = change.Hold == true && change.HoldUrl is { } url ? new Uri(url) : null,
            Coaching = change.Coaching,
            CallSidToCoach = change.Coaching == true ? change.CallSidToCoach : null,
        };
        try
        {
            await ParticipantResource.UpdateAsync(update, client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogGone(change.ConferenceSid, change.CallSid);
        }
    }

    /// <summary>Reads the participant at Twilio and updates only what differs from the change.</summary>
    public async Task Change(ApplyParticipantChange change)
    {
        ParticipantResource current;
        try
        {
            current = await ParticipantResource.FetchAsync(change.ConferenceSid, change.CallSid, client: client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogGone(change.ConferenceSid, change.CallSid);
            return;
        }

        var update = new UpdateParticipantOptions(change.ConferenceSid, change.CallSid);
        var changes = false;
        if (change.Muted is { } muted && current.Muted != muted)
        {
            update.Muted = muted;
            changes = true;
        }

        if (change.Hold is { } hold && current.Hold != hold)
        {
            update.Hold = hold;
            update.HoldUrl = hold && change.HoldUrl is { } url ? new Uri(url) : null;
            changes = true;
        }

        if (change.Coaching is { } coaching && (current.Coaching != coaching || (coaching && current.CallSidToCoach != change.CallSidToCoach)))
        {
            update.Coaching = coaching;
            update.CallSidToCoach = coaching ? change.CallSidToCoach : null;
            changes = true;
        }

        if (!changes)
        {
            LogUnchanged(change.ConferenceSid, change.CallSid, change.RequestId);
            return;
        }

        try
        {
            await ParticipantResource.UpdateAsync(update, client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogGone(change.ConferenceSid, change.CallSid);
        }
    }

    public async Task Kick(KickParticipant kick)
    {
        try
        {
            await ParticipantResource.DeleteAsync(kick.ConferenceSid, kick.CallSid, client: client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogGone(kick.ConferenceSid, kick.CallSid);
        }
    }

    public async Task Complete(CompleteConference end)
    {
        try
        {
            var conference = await ConferenceResource.FetchAsync(end.ConferenceSid, client: client);
            if (conference.Status == ConferenceResource.StatusEnum.Completed)
            {
                LogEnded(end.ConferenceSid);
                return;
            }

            await ConferenceResource.UpdateAsync(
                new UpdateConferenceOptions(end.ConferenceSid) { Status = ConferenceResource.UpdateStatusEnum.Completed }, client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogEnded(end.ConferenceSid);
        }
    }

    /// <summary>Plays the announcement to the room (at least once: a repeat after a lost answer plays it again).</summary>
    public async Task Announce(PlayConferenceAnnouncement announcement)
    {
        try
        {
            await ConferenceResource.UpdateAsync(
                new UpdateConferenceOptions(announcement.ConferenceSid) { AnnounceUrl = new Uri(announcement.Url) }, client);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogEnded(announcement.ConferenceSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} is no longer in conference {ConferenceSid} at Twilio; nothing to change")]
    private partial void LogGone(string conferenceSid, string callSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} in conference {ConferenceSid} is already as request {RequestId} asks")]
    private partial void LogUnchanged(string conferenceSid, string callSid, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conference {ConferenceSid} has already ended at Twilio; nothing to change")]
    private partial void LogEnded(string conferenceSid);
}
