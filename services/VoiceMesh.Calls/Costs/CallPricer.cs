using Marten;
using Microsoft.Extensions.Options;
using Twilio.Exceptions;
using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

/// <summary>
/// Reads the price Twilio set on final calls and stores it on each call's stream (<see cref="CallPriced"/>), through the
/// command path, once. A call Twilio has not priced yet is left for a later run (never guessed) and records that it was
/// asked (<see cref="CallPriceChecked"/>), so it waits (<see cref="PricingOptions.RetryAfter"/>, doubling up to
/// <see cref="PricingOptions.MaxRetryAfter"/>) while the calls behind it get their turn. Several instances may run it at once: each append is checked by Marten's optimistic concurrency, the
/// decision prices a call once, and the loser skips that call until the next run.
/// </summary>
public sealed partial class CallPricer(
    IDocumentStore store,
    StreamCommands commands,
    TwilioCallControl twilio,
    PricingFetchLimiter limiter,
    PricingMetrics metrics,
    IOptions<PricingOptions> options,
    TimeProvider clock,
    ILogger<CallPricer> logger)
{
    /// <summary>The <c>outcome</c> of a look, as <see cref="PricingMetrics"/> counts it.</summary>
    private const string Priced = "priced";
    private const string Unpriced = "unpriced";
    private const string Refused = "refused";
    private const string Unavailable = "unavailable";
    private const string Conflict = "conflict";

    /// <summary>
    /// One run: at most <see cref="PricingOptions.BatchSize"/> final calls without a price, soonest due first (see
    /// <see cref="Due"/>); one rate-limited Twilio fetch each. Returns how many calls were priced. When Twilio cannot be
    /// reached the run stops and the next one starts over.
    /// </summary>
    public async Task<int> RunOnce(CancellationToken cancellationToken)
    {
        var priced = 0;
        foreach (var callSid in await Due(cancellationToken))
        {
            using var lease = await limiter.Acquire(cancellationToken);
            if (!lease.IsAcquired)
            {
                return priced;
            }

            var outcome = await Price(callSid, cancellationToken);
            metrics.Checked(outcome);
            if (outcome == Priced)
            {
                priced++;
            }
            else if (outcome == Unavailable)
            {
                return priced;
            }
        }

        return priced;
    }

    /// <summary>
    /// The calls due for a look, soonest due first, at most a batch: a final call never asked about is due
    /// <see cref="PricingOptions.FirstAfter"/> after it went quiet (ended), one asked before when its last look said
    /// (<see cref="PricingDecision.Checked"/>). Both kinds are merged by that time, so neither a stream of new calls nor
    /// calls Twilio never prices can keep the others waiting.
    /// </summary>
    private async Task<IReadOnlyList<string>> Due(CancellationToken cancellationToken)
    {
        var batch = options.Value.BatchSize;
        var now = clock.GetUtcNow();
        var endedBefore = now - options.Value.FirstAfter;
        await using var query = store.QuerySession();
        var fresh = await query.Query<Call>()
            .Where(c => c.IsTerminal && c.Price == null && c.PriceCheckDueAt == null && c.QuietSince <= endedBefore)
            .OrderBy(c => c.QuietSince)
            .ThenBy(c => c.Id)
            .Take(batch)
            .Select(c => new { c.Id, Since = c.QuietSince })
            .ToListAsync(cancellationToken);
        var again = await query.Query<Call>()
            .Where(c => c.IsTerminal && c.Price == null && c.PriceCheckDueAt <= now)
            .OrderBy(c => c.PriceCheckDueAt)
            .ThenBy(c => c.Id)
            .Take(batch)
            .Select(c => new { c.Id, DueAt = c.PriceCheckDueAt })
            .ToListAsync(cancellationToken);
        return [.. fresh.Select(c => (c.Id, Due: c.Since!.Value + options.Value.FirstAfter))
            .Concat(again.Select(c => (c.Id, Due: c.DueAt!.Value)))
            .OrderBy(c => c.Due)
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .Take(batch)
            .Select(c => c.Id)];
    }

    private async Task<string> Price(string callSid, CancellationToken cancellationToken)
    {
        try
        {
            var atTwilio = await twilio.Fetch(callSid);
            if (!TwilioPrice.TryParse(atTwilio.Price, atTwilio.PriceUnit, out var charged))
            {
                if (atTwilio.Price is not null)
                {
                    LogUnreadablePrice(callSid, atTwilio.Price, atTwilio.PriceUnit);
                }

                await commands.Execute<Call>(callSid, null, call => Checked(call, null), cancellationToken);
                return Unpriced;
            }

            var appended = await commands.Execute<Call>(
                callSid, null, call => Call.Decide(call, new CallPriced { CallSid = callSid, Price = charged, PricedAt = clock.GetUtcNow() }), cancellationToken);
            if (appended.Count == 0)
            {
                return Conflict;
            }

            LogPriced(callSid, charged.Amount, charged.Currency);
            return Priced;
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            LogTwilioRefused(callSid, ex.Code);
            await commands.Execute<Call>(callSid, null, call => Checked(call, ex.Code), cancellationToken);
            return Refused;
        }
        catch (Exception ex) when (ex is ApiException or ApiConnectionException)
        {
            LogTwilioUnavailable(callSid, ex.Message);
            return Unavailable;
        }
        catch (StreamConflictException)
        {
            LogRaced(callSid);
            return Conflict;
        }
    }

    private Decision Checked(Call? call, int? twilioErrorCode) =>
        PricingDecision.Checked(call, clock.GetUtcNow(), twilioErrorCode, options.Value.RetryAfter, options.Value.MaxRetryAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} priced at {Amount} {Currency}")]
    private partial void LogPriced(string callSid, decimal amount, string currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio's price of call {CallSid} is not a decimal amount ({Price} {PriceUnit}); asked again later")]
    private partial void LogUnreadablePrice(string callSid, string price, string? priceUnit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused to report call {CallSid} for pricing (error {Code}); asked again later")]
    private partial void LogTwilioRefused(string callSid, int code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio could not be asked about call {CallSid} for pricing ({Reason}); the run stops until the next")]
    private partial void LogTwilioUnavailable(string callSid, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} was priced or changed by another writer meanwhile")]
    private partial void LogRaced(string callSid);
}
