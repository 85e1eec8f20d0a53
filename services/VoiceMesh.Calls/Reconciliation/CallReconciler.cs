using Marten;
using Microsoft.Extensions.Options;
using Twilio.Exceptions;
using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

/// <summary>
/// Asks Twilio about calls whose lifecycle stopped moving and appends what Twilio says through the command path, so
/// a lost callback never leaves a call stuck. Several instances may run it at once: each append is checked by
/// Marten's optimistic concurrency, and the loser skips that call until the next run.
/// </summary>
public sealed partial class CallReconciler(
    IDocumentStore store,
    StreamCommands commands,
    TwilioCallControl twilio,
    LifecycleMetrics statuses,
    ReconciliationMetrics metrics,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<CallReconciler> logger)
{
    /// <summary>
    /// One run: walks every call stale at its start, quietest first, a page of <see cref="ReconciliationOptions.BatchSize"/>
    /// at a time, each call once (keyset on its quiet time, so a call asked about and left as it was is not taken
    /// again); returns how many calls got a new status. Twilio's refusals are recorded on the call; when Twilio cannot
    /// be reached the run stops and the next one starts over from the quietest.
    /// </summary>
    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.StaleAfter;
        await using (var query = store.QuerySession())
        {
            metrics.Stuck(await query.Query<Call>().Where(c => !c.IsTerminal && c.QuietSince < cutoff).CountAsync(cancellationToken));
        }

        var after = DateTimeOffset.MinValue;
        List<string> seenAtAfter = [];
        var moved = 0;
        while (true)
        {
            IReadOnlyList<StaleCall> page;
            await using (var query = store.QuerySession())
            {
                var ids = seenAtAfter.ToArray();
                var rows = await query.Query<Call>()
                    .Where(c => !c.IsTerminal && c.QuietSince < cutoff && c.QuietSince >= after && !ids.Contains(c.Id))
                    .OrderBy(c => c.QuietSince)
                    .ThenBy(c => c.Id)
                    .Take(options.Value.BatchSize)
                    .Select(c => new { c.Id, c.QuietSince })
                    .ToListAsync(cancellationToken);
                page = [.. rows.Select(r => new StaleCall(r.Id, r.QuietSince!.Value))];
            }

            if (page.Count == 0)
            {
                return moved;
            }

            foreach (var call in page)
            {
                if (call.QuietSince > after)
                {
                    after = call.QuietSince;
                    seenAtAfter.Clear();
                }

                seenAtAfter.Add(call.Id);
                switch (await Reconcile(call.Id, cancellationToken))
                {
                    case Outcome.Moved:
                        moved++;
                        break;
                    case Outcome.TwilioUnavailable:
                        return moved;
                }
            }
        }
    }

    private async Task<Outcome> Reconcile(string callSid, CancellationToken cancellationToken)
    {
        try
        {
            return await Ask(callSid, cancellationToken) ? Outcome.Moved : Outcome.Checked;
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            LogTwilioRefused(callSid, ex.Code);
            await commands.Execute<Call>(
                callSid, null, current => ReconciliationDecision.Refused(current, ex.Code, ex.Message, clock.GetUtcNow()), cancellationToken);
            return Outcome.Checked;
        }
        catch (Exception ex) when (ex is ApiException or ApiConnectionException)
        {
            LogTwilioUnavailable(callSid, ex.Message);
            return Outcome.TwilioUnavailable;
        }
        catch (StreamConflictException)
        {
            LogRaced(callSid);
            return Outcome.Checked;
        }
    }

    private async Task<bool> Ask(string callSid, CancellationToken cancellationToken)
    {
        var call = await twilio.Fetch(callSid);
        if (!CallStatusWire.TryParse(call.Status?.ToString(), out var status))
        {
            return false;
        }

        var atTwilio = new TwilioCallState(
            status, call.StartTime, call.EndTime, AnsweredByWire.Parse(call.AnsweredBy), int.TryParse(call.Duration, out var seconds) ? seconds : null);
        Call? before = null;
        var appended = await commands.Execute<Call>(
            callSid, null, current => ReconciliationDecision.Decide(before = current, atTwilio, clock.GetUtcNow()), cancellationToken);
        statuses.Stored(before, appended);
        if (appended.OfType<CallStatusReported>().FirstOrDefault() is not { } report)
        {
            return false;
        }

        LogReconciled(callSid, report.Status);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled call {CallSid} to {After} from Twilio's REST API")]
    private partial void LogReconciled(string callSid, CallStatus after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused to report call {CallSid} (error {Code}); recorded on the call")]
    private partial void LogTwilioRefused(string callSid, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio could not be asked about call {CallSid} ({Reason}); the run stops until the next")]
    private partial void LogTwilioUnavailable(string callSid, string reason);

    private sealed record StaleCall(string Id, DateTimeOffset QuietSince);

    private enum Outcome
    {
        Checked,
        Moved,
        TwilioUnavailable,
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} was reconciled by another instance meanwhile")]
    private partial void LogRaced(string callSid);
}
