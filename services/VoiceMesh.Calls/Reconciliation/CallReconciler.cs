using Marten;
using Microsoft.Extensions.Options;
using Twilio.Exceptions;
using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Domain;

namespace VoiceMesh.Calls.Reconciliation;

/// <summary>
/// Asks Twilio about calls whose lifecycle stopped moving and appends what Twilio says, so a lost callback never
/// leaves a call stuck. Several instances may run it at once: each append is checked by Marten's optimistic
/// concurrency, and the loser skips that call.
/// </summary>
public sealed partial class CallReconciler(
    IDocumentStore store,
    TwilioCallControl twilio,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<CallReconciler> logger)
{
    /// <summary>One bounded run; returns how many calls got a new status.</summary>
    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.StaleAfter;
        List<Call> stale;
        await using (var query = store.QuerySession())
        {
            stale = [.. await query.Query<Call>()
                .Where(c => c.Status != "completed" && c.Status != "busy" && c.Status != "failed"
                    && c.Status != "no-answer" && c.Status != "canceled"
                    && c.QuietSince < cutoff)
                .OrderBy(c => c.QuietSince)
                .Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken)];
        }

        var moved = 0;
        foreach (var call in stale)
        {
            try
            {
                moved += await Reconcile(call.Id, cancellationToken) ? 1 : 0;
            }
            catch (ApiException ex)
            {
                LogTwilioError(call.Id, ex.Code);
            }
            catch (JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
            {
                LogRaced(call.Id);
            }
        }

        return moved;
    }

    private async Task<bool> Reconcile(string callSid, CancellationToken cancellationToken)
    {
        var atTwilio = await twilio.Fetch(callSid);
        var status = atTwilio.Status.ToString();
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Call>(callSid, cancellationToken);
        var call = stream.Aggregate;
        if (call is null || call.IsTerminal)
        {
            return false;
        }

        var messageId = $"reconciliation:{callSid}:{status}";
        if (Call.Rank(status) <= Call.Rank(call.Status) || call.AlreadyHas(messageId, status, null))
        {
            stream.AppendOne(new CallReconciliationChecked(callSid, status, now));
            await session.SaveChangesAsync(cancellationToken);
            return false;
        }

        stream.AppendOne(new CallStatusReported
        {
            CallSid = callSid,
            Status = status,
            Timestamp = atTwilio.EndTime ?? atTwilio.StartTime ?? now,
            Source = ReportSources.Reconciliation,
            MessageId = messageId,
            AnsweredBy = atTwilio.AnsweredBy,
            DurationSeconds = status == "completed" && int.TryParse(atTwilio.Duration, out var seconds) ? seconds : null,
            ReceivedAt = now,
        });
        await session.SaveChangesAsync(cancellationToken);
        LogReconciled(callSid, call.Status, status);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconciled call {CallSid} from {Before} to {After} from Twilio's REST API")]
    private partial void LogReconciled(string callSid, string before, string after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reconcile call {CallSid}: Twilio error {Code}")]
    private partial void LogTwilioError(string callSid, int code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} was reconciled by another instance meanwhile")]
    private partial void LogRaced(string callSid);
}
