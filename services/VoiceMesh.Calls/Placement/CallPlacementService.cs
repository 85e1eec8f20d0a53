using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Twilio.Exceptions;
using VoiceMesh.Calls.Budgets;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>Another delivery of the same PlaceCall is placing it right now; this one is held and tried again.</summary>
public sealed class PlacementInProgressException(string requestId)
    : WorkInProgressException($"Request {requestId} is being placed by another delivery.");

/// <summary>
/// Places one PlaceCall at Twilio, at most once, through the command path: each step is decided by
/// <see cref="CallPlacement"/> on the version just read. Every attempt is recorded before Twilio is asked, so an
/// attempt whose answer was lost (timeout, dropped connection, crash) is looked up at Twilio before any retry.
/// Twilio errors that say "not now" are rethrown for the endpoint's retry policy to hold the message. A request that
/// names a caller-id pool leases its From from NumberPool before it is stored, once: the lease is part of the request.
/// </summary>
public sealed partial class CallPlacementService(
    StreamCommands commands,
    IDocumentStore store,
    TwilioCallPlacer placer,
    PooledCallerIds callerIds,
    BudgetAdmission budgets,
    PlacementMetrics metrics,
    IOptions<CallsOptions> options,
    IOptions<TwilioOptions> twilio,
    TimeProvider clock,
    ILogger<CallPlacementService> logger)
{
    public async Task Reject(PlaceCall command, PlaceCallViolation violation, CancellationToken cancellationToken)
    {
        var rejected = new PlacementRejected(command.RequestId, violation.Field, violation.Reason, clock.GetUtcNow());
        metrics.Stored(await commands.Execute<CallPlacement>(
            CallPlacement.StreamId(command.RequestId), null, p => CallPlacement.Reject(p, rejected), cancellationToken));
        LogRejected(command.RequestId, violation.Field);
    }

    /// <summary>Places the call unless this request is finished already; <paramref name="deliveryId"/> names this delivery.</summary>
    public async Task Place(PlaceCall command, string deliveryId, CancellationToken cancellationToken)
    {
        var streamId = CallPlacement.StreamId(command.RequestId);
        if (await commands.Load<CallPlacement>(streamId, cancellationToken) is null && !await Accept(command, streamId, cancellationToken))
        {
            return;
        }

        var placement = await commands.Load<CallPlacement>(streamId, cancellationToken);
        if (placement is not { Request: { } request })
        {
            return;
        }

        switch (placement.Next(deliveryId, clock.GetUtcNow()))
        {
            case CreateStep.Finished:
                LogAlreadyKnown(command.RequestId);
                await RecordOnCall(placement, cancellationToken);
                return;
            case CreateStep.WaitForOtherDelivery:
                throw new PlacementInProgressException(command.RequestId);
            case CreateStep.LookUp when await FindUnclaimed(request, placement.AttemptInDoubtSince!.Value, cancellationToken) is { } found:
                LogFoundByLookup(command.RequestId, found);
                await Succeed(streamId, found, foundByLookup: true, cancellationToken);
                return;
        }

        var started = (await commands.Execute<CallPlacement>(
                streamId, null, p => p!.StartAttempt(deliveryId, clock.GetUtcNow()), cancellationToken))
            .OfType<PlacementAttemptStarted>()
            .SingleOrDefault() ?? throw new PlacementInProgressException(command.RequestId);

        string callSid;
        try
        {
            callSid = await placer.Create(request, cancellationToken);
        }
        catch (ApiException ex)
        {
            metrics.Stored(await commands.Execute<CallPlacement>(
                streamId, null, p => p!.Refused(started.Attempt, ex.Status, ex.Code, ex.Message, clock.GetUtcNow()), cancellationToken));
            if (TwilioErrors.IsTransient(ex))
            {
                LogTransient(command.RequestId, started.Attempt, ex.Status, ex.Code);
                throw;
            }

            LogRefused(command.RequestId, started.Attempt, ex.Code);
            return;
        }
        catch (ApiConnectionException ex) when (ex.InnerException is BrokenCircuitException)
        {
            metrics.Stored(await commands.Execute<CallPlacement>(streamId, null, p => p!.NotSent(started.Attempt, ex.InnerException.Message), cancellationToken));
            throw;
        }

        await Succeed(streamId, callSid, foundByLookup: false, cancellationToken);
        LogPlaced(command.RequestId, callSid, started.Attempt);
    }

    /// <summary>
    /// Stores the request with its caller id: From, the pool's lease (a pool that lends none rejects the request), or
    /// <c>Calls:DefaultFrom</c>. False when the request was rejected, also when a budget of its tenant or campaign is
    /// exhausted (checked first). A lease another delivery's request beat to the stream is given back.
    /// </summary>
    private async Task<bool> Accept(PlaceCall command, string streamId, CancellationToken cancellationToken)
    {
        if (await budgets.Admit(command, cancellationToken) is { } exhausted)
        {
            await Reject(command, exhausted, cancellationToken);
            return false;
        }

        if (command.CallerIdPool is not { } pool)
        {
            var requested = Requested(command, command.From ?? options.Value.DefaultFrom!);
            await commands.Execute<CallPlacement>(streamId, null, p => CallPlacement.Accept(p, requested), cancellationToken);
            return true;
        }

        var (lease, refusal) = await callerIds.Acquire(command.RequestId, pool, command.To, cancellationToken);
        if (lease is null)
        {
            await Reject(command, new PlaceCallViolation(nameof(PlaceCall.CallerIdPool), refusal!), cancellationToken);
            return false;
        }

        var leased = Requested(command, lease.CallerId) with { CallerIdPool = pool, LeaseId = lease.LeaseId };
        var appended = await commands.Execute<CallPlacement>(streamId, null, p => CallPlacement.Accept(p, leased), cancellationToken);
        if (appended.Count == 0)
        {
            await callerIds.Release(lease.LeaseId, cancellationToken);
        }

        LogLeased(command.RequestId, pool, lease.Match);
        return true;
    }

    /// <summary>
    /// Records the placement, then tells the call's stream who placed it. Two commands, each on its own stream's
    /// version: Twilio's first callbacks race the second, and a conflict there is retried (the delivery then finds
    /// the placement finished and records it on the call again, which changes nothing twice).
    /// </summary>
    private async Task Succeed(string streamId, string callSid, bool foundByLookup, CancellationToken cancellationToken)
    {
        metrics.Stored(await commands.Execute<CallPlacement>(streamId, null, p => p!.Succeed(callSid, foundByLookup, clock.GetUtcNow()), cancellationToken));
        if (await commands.Load<CallPlacement>(streamId, cancellationToken) is { } placement)
        {
            await RecordOnCall(placement, cancellationToken);
        }
    }

    private async Task RecordOnCall(CallPlacement placement, CancellationToken cancellationToken)
    {
        if (placement.ToCallPlaced(twilio.Value.AccountSid) is { } placed)
        {
            await commands.Execute<Lifecycle.Call>(placed.CallSid, null, call => Lifecycle.Call.Decide(call, placed), cancellationToken);
        }
    }

    private PlacementRequested Requested(PlaceCall command, string from) => new()
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
        OnMachine = MachineDetection.MachineActionWire.TryParse(command.OnMachine, out var action) ? action : null,
        MachineMessageTwiml = command.MachineMessageTwiml,
        Metadata = command.Metadata,
        Tenant = command.Tenant,
        Campaign = command.Campaign,
        TraceId = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null,
        RequestedAt = clock.GetUtcNow(),
    };

    /// <summary>A call Twilio created for this request since the attempt began that no other request has claimed.</summary>
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed request {RequestId} as call {CallSid} on attempt {Attempt}")]
    private partial void LogPlaced(string requestId, string callSid, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} attempt {Attempt}: Twilio answered {Status} (code {Code}); held for another try")]
    private partial void LogTransient(string requestId, int attempt, int status, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} attempt {Attempt}: Twilio refused the call with code {Code}")]
    private partial void LogRefused(string requestId, int attempt, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: an attempt whose answer was lost had created call {CallSid}")]
    private partial void LogFoundByLookup(string requestId, string callSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} leased its caller id from pool {Pool} ({Match} match)")]
    private partial void LogLeased(string requestId, string pool, string match);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request {RequestId} is already known; nothing to do")]
    private partial void LogAlreadyKnown(string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} rejected: {Field} is invalid")]
    private partial void LogRejected(string requestId, string field);
}
