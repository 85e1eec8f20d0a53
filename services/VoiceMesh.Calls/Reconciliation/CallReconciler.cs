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
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<CallReconciler> logger)
{
    /// <summary>One bounded run; returns how many calls got a new status.</summary>
    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.StaleAfter;
        List<string> stale;
        await using (var query = store.QuerySession())
        {
            stale = [.. await query.Query<Call>()
                .Where(c => !c.IsTerminal && c.QuietSince < cutoff)
                .OrderBy(c => c.QuietSince)
                .Take(options.Value.BatchSize)
                .Select(c => c.Id)
                .ToListAsync(cancellationToken)];
        }

        var moved = 0;
        foreach (var callSid in stale)
        {
            try
            {
                moved += await Reconcile(callSid, cancellationToken) ? 1 : 0;
            }
            catch (ApiException ex)
            {
                LogTwilioError(callSid, ex.Code);
            }
            catch (StreamConflictException)
            {
                LogRaced(callSid);
            }
        }

        return moved;
    }

    private async Task<bool> Reconcile(string callSid, CancellationToken cancellationToken)
    {
        var call = await twilio.Fetch(callSid);
        if (!CallStatusWire.TryParse(call.Status?.ToString(), out var status))
        {
            return false;
        }

        var atTwilio = new TwilioCallState(
            status, call.StartTime, call.EndTime, AnsweredByWire.Parse(call.AnsweredBy), int.TryParse(call.Duration, out var seconds) ? seconds : null);
        var appended = await commands.Execute<Call>(
            callSid, null, current => ReconciliationDecision.Decide(current, atTwilio, clock.GetUtcNow()), cancellationToken);
        if (appended.OfType<CallStatusReported>().FirstOrDefault() is not { } report)
        {
            return false;
        }

        LogReconciled(callSid, report.Status);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled call {CallSid} to {After} from Twilio's REST API")]
    private partial void LogReconciled(string callSid, CallStatus after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reconcile call {CallSid}: Twilio error {Code}")]
    private partial void LogTwilioError(string callSid, int code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} was reconciled by another instance meanwhile")]
    private partial void LogRaced(string callSid);
}
