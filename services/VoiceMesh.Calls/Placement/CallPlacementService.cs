using Marten;
using Polly;
using Polly.Registry;
using Twilio.Exceptions;
using VoiceMesh.Calls.Domain;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Placement;

/// <summary>Another delivery of the same PlaceCall is placing it right now; this one is retried later.</summary>
public sealed class PlacementInProgressException(string requestId)
    : Exception($"Request {requestId} is being placed by another delivery.");

/// <summary>
/// Places one PlaceCall at Twilio, at most once. Every attempt is recorded before Twilio is asked, so an attempt
/// whose answer was lost (timeout, dropped connection, crash) is looked up at Twilio before any retry.
/// </summary>
public sealed partial class CallPlacementService(
    IDocumentStore store,
    TwilioCallPlacer placer,
    ResiliencePipelineProvider<string> pipelines,
    TimeProvider clock,
    ILogger<CallPlacementService> logger)
{
    /// <summary>An attempt recorded this long ago without an outcome is presumed abandoned by a crashed instance.</summary>
    public static readonly TimeSpan AttemptLease = TimeSpan.FromSeconds(45);

    public async Task Reject(PlaceCall command, PlaceCallViolation violation, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Events.StartStream<CallPlacement>(
            CallPlacement.StreamId(command.RequestId),
            new PlacementRejected(command.RequestId, violation.Field, violation.Reason, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (IsLostRace(ex))
        {
            LogAlreadyKnown(command.RequestId);
        }
    }

    /// <summary>
    /// Places the call unless this request is finished already. While another delivery of the same request has an
    /// attempt under way, this one is retried later (<see cref="PlacementInProgressException"/>): by then the other
    /// has finished, or its attempt has lapsed and this one looks it up at Twilio and takes over.
    /// </summary>
    public async Task Place(PlaceCall command, string from, CancellationToken cancellationToken)
    {
        var placement = await Begin(command, from, cancellationToken);
        if (placement.IsFinished)
        {
            LogAlreadyKnown(command.RequestId);
            return;
        }

        if (placement.AttemptInDoubtSince is { } since && clock.GetUtcNow() - since < AttemptLease)
        {
            throw new PlacementInProgressException(command.RequestId);
        }

        var pipeline = pipelines.GetPipeline(PlacementRegistration.Pipeline);
        var ownAttempts = new HashSet<int>();
        await pipeline.ExecuteAsync(async token => await Attempt(placement.Id, ownAttempts, token), cancellationToken);
    }

    private async Task<CallPlacement> Begin(PlaceCall command, string from, CancellationToken cancellationToken)
    {
        var streamId = CallPlacement.StreamId(command.RequestId);
        if (await Load(streamId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var requested = new PlacementRequested
        {
            RequestId = command.RequestId,
            To = command.To,
            From = from,
            Twiml = command.Twiml,
            Url = command.Url,
            Flow = command.Flow,
            TimeoutSeconds = command.TimeoutSeconds,
            Record = command.Record,
            MachineDetection = command.MachineDetection,
            AsyncAmd = command.AsyncAmd,
            OnMachine = command.OnMachine,
            MachineMessageTwiml = command.MachineMessageTwiml,
            Metadata = command.Metadata,
            Tenant = command.Tenant,
            RequestedAt = clock.GetUtcNow(),
        };
        await using var session = store.LightweightSession();
        session.Events.StartStream<CallPlacement>(streamId, requested);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return CallPlacement.Create(requested);
        }
        catch (Exception ex) when (IsLostRace(ex))
        {
            return await Load(streamId, cancellationToken) ?? throw new InvalidOperationException($"Placement {streamId} vanished.");
        }
    }

    /// <summary>
    /// One try: decide and record the attempt against the version just read, so two
    /// deliveries racing on one request cannot both dial: the second one's append fails Marten's version check.
    /// An attempt in doubt is first looked up at Twilio.
    /// </summary>
    private async ValueTask Attempt(string streamId, HashSet<int> ownAttempts, CancellationToken cancellationToken)
    {
        int attempt;
        PlacementRequested request;
        await using (var session = store.LightweightSession())
        {
            var stream = await session.Events.FetchForWriting<CallPlacement>(streamId, cancellationToken);
            var placement = stream.Aggregate ?? throw new InvalidOperationException($"Placement {streamId} vanished.");
            if (placement.IsFinished)
            {
                return;
            }

            request = placement.Request!;
            if (placement.AttemptInDoubtSince is { } recent && !ownAttempts.Contains(placement.Attempts)
                && clock.GetUtcNow() - recent < AttemptLease)
            {
                throw new PlacementInProgressException(request.RequestId);
            }

            if (placement.AttemptInDoubtSince is { } since
                && await FindUnclaimed(request, since, cancellationToken) is { } found)
            {
                LogFoundByLookup(request.RequestId, found);
                await Succeed(streamId, found, byLookup: true, cancellationToken);
                return;
            }

            attempt = placement.Attempts + 1;
            stream.AppendOne(new PlacementAttemptStarted(request.RequestId, attempt, clock.GetUtcNow()));
            await session.SaveChangesAsync(cancellationToken);
            ownAttempts.Add(attempt);
        }

        string callSid;
        try
        {
            callSid = await placer.Create(request, cancellationToken);
        }
        catch (ApiException ex) when (TwilioErrors.IsTransient(ex))
        {
            LogTransient(request.RequestId, attempt, ex.Status, ex.Code);
            await Append(streamId, new PlacementAttemptFailed(request.RequestId, attempt, ex.Code, ex.Status, ex.Message), cancellationToken);
            throw;
        }
        catch (ApiException ex)
        {
            LogRefused(request.RequestId, attempt, ex.Code);
            await Append(streamId, new PlacementFailed(request.RequestId, ex.Code, ex.Message, attempt, clock.GetUtcNow()), cancellationToken);
            return;
        }

        await Succeed(streamId, callSid, byLookup: false, cancellationToken);
    }

    private async Task<string?> FindUnclaimed(PlacementRequested request, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        var claimed = (await query.Query<CallPlacement>()
                .Where(p => p.CallSid != null && p.Request!.To == request.To && p.RequestedAt >= since.AddMinutes(-10))
                .Select(p => p.CallSid!)
                .ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        return await placer.FindCreatedSince(request, since, claimed, cancellationToken);
    }

    /// <summary>
    /// Records the placement and starts the call's own lifecycle in one transaction. Twilio's first callbacks race
    /// this on the call's stream; a lost race is simply tried again on the new version.
    /// </summary>
    private async Task Succeed(string streamId, string callSid, bool byLookup, CancellationToken cancellationToken)
    {
        for (var race = 1; ; race++)
        {
            try
            {
                await RecordSuccess(streamId, callSid, byLookup, cancellationToken);
                return;
            }
            catch (Exception ex) when (IsLostRace(ex) && race < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * race), clock, cancellationToken);
            }
        }
    }

    private async Task RecordSuccess(string streamId, string callSid, bool byLookup, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<CallPlacement>(streamId, cancellationToken);
        var placement = stream.Aggregate ?? throw new InvalidOperationException($"Placement {streamId} vanished.");
        if (placement.IsFinished)
        {
            return;
        }

        var request = placement.Request!;
        stream.AppendOne(new PlacementSucceeded(request.RequestId, callSid, Math.Max(placement.Attempts, 1), byLookup, now));
        var call = await session.Events.FetchForWriting<Call>(callSid, cancellationToken);
        call.AppendOne(new Domain.CallPlaced
        {
            CallSid = callSid,
            RequestId = request.RequestId,
            From = request.From,
            To = request.To,
            Attempts = Math.Max(placement.Attempts, 1),
            RequestedAt = request.RequestedAt,
            PlacedAt = now,
        });
        await session.SaveChangesAsync(cancellationToken);
        LogPlaced(request.RequestId, callSid, placement.Attempts);
    }

    private async Task Append(string streamId, object @event, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<CallPlacement>(streamId, cancellationToken);
        stream.AppendOne(@event);
        await session.SaveChangesAsync(cancellationToken);
    }

    private async Task<CallPlacement?> Load(string streamId, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<CallPlacement>(streamId, cancellationToken);
    }

    /// <summary>Another writer started the stream first, or appended since it was read.</summary>
    private static bool IsLostRace(Exception ex) =>
        ex is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
            or JasperFx.Events.EventStreamUnexpectedMaxEventIdException
        || ex.InnerException is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException;

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed request {RequestId} as call {CallSid} after {Attempts} attempt(s)")]
    private partial void LogPlaced(string requestId, string callSid, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} attempt {Attempt}: Twilio answered {Status} (code {Code}); retrying")]
    private partial void LogTransient(string requestId, int attempt, int status, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} attempt {Attempt}: Twilio refused the call with code {Code}")]
    private partial void LogRefused(string requestId, int attempt, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: an attempt whose answer was lost had created call {CallSid}")]
    private partial void LogFoundByLookup(string requestId, string callSid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} is already known; nothing to do")]
    private partial void LogAlreadyKnown(string requestId);
}
