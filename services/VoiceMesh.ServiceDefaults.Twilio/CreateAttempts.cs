using Twilio.Base;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace VoiceMesh.ServiceDefaults;

/// <summary>What a delivery of a command that creates something at Twilio (a call, a participant) does next.</summary>
public enum CreateStep
{
    /// <summary>Created, failed or rejected already: nothing to do.</summary>
    Finished,

    /// <summary>Another delivery's attempt is under way and recent: wait for it.</summary>
    WaitForOtherDelivery,

    /// <summary>An attempt's outcome is unknown (this delivery's, or one whose lease lapsed): look it up at Twilio first.</summary>
    LookUp,

    /// <summary>Ask Twilio to create it.</summary>
    Attempt,
}

/// <summary>
/// At most once for Twilio creates: every attempt is stored before Twilio is asked, with the delivery that owns it, so
/// an attempt whose answer was lost (timeout, dropped connection, crash) is looked up at Twilio before any retry
/// instead of creating a second call.
/// </summary>
public static class CreateAttempts
{
    /// <summary>An attempt recorded this long ago without an outcome is presumed abandoned by a crashed delivery.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(45);

    /// <summary>The step for <paramref name="deliveryId"/>, given the attempt in doubt (its start and owner), if any.</summary>
    public static CreateStep Next(bool finished, DateTimeOffset? inDoubtSince, string? inDoubtBy, string deliveryId, DateTimeOffset now)
    {
        if (finished)
        {
            return CreateStep.Finished;
        }

        if (inDoubtSince is { } since)
        {
            return inDoubtBy == deliveryId || now - since >= Lease ? CreateStep.LookUp : CreateStep.WaitForOtherDelivery;
        }

        return CreateStep.Attempt;
    }

    /// <summary>Whether a delivery may start an attempt now: nothing in doubt, or the one in doubt to be looked up by it.</summary>
    public static bool MayAttempt(CreateStep step) => step is CreateStep.Attempt or CreateStep.LookUp;

    /// <summary>
    /// The oldest call Twilio created to <paramref name="to"/> from <paramref name="from"/> since <paramref name="since"/>
    /// (less 5 s of clock skew) other than <paramref name="claimed"/> ones: what an attempt whose answer was lost had
    /// created, since a participant is a call too. One Calls read.
    /// </summary>
    public static async Task<string?> FindCallCreatedSince(
        ITwilioRestClient client, string to, string from, DateTimeOffset since, IReadOnlySet<string> claimed, CancellationToken cancellationToken)
    {
        var read = new ReadCallOptions { To = new PhoneNumber(to), From = new PhoneNumber(from), PageSize = 50 };
        ResourceSet<CallResource> calls = await CallResource.ReadAsync(read, client);
        cancellationToken.ThrowIfCancellationRequested();
        var window = since.UtcDateTime.AddSeconds(-5);
        return calls
            .Where(c => c.DateCreated is { } created && created.ToUniversalTime() >= window && !claimed.Contains(c.Sid))
            .OrderBy(c => c.DateCreated)
            .Select(c => c.Sid)
            .FirstOrDefault();
    }
}
