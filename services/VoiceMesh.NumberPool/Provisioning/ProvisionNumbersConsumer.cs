using System.Collections.Immutable;
using Marten;
using MassTransit;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>
/// Plans a provisioning request: searches Twilio's available numbers (the count spread evenly over the area codes, or
/// in the region), leaves out every number the service ever held (a released number is never bought again), and
/// stores the plan; the outbox then sends one PurchaseNumber per chosen number. An invalid request, or one for a pool
/// not defined, is stored as rejected with the field named. A repeated request id plans nothing again.
/// </summary>
public sealed partial class ProvisionNumbersConsumer(
    StreamCommands commands, IQuerySession session, TwilioNumbers twilio, TimeProvider clock, ILogger<ProvisionNumbersConsumer> logger)
    : IConsumer<ProvisionNumbers>
{
    /// <summary>How many more numbers a search asks for than it needs, to make up for ones the service held before.</summary>
    private const int SearchMargin = 20;

    public async Task Consume(ConsumeContext<ProvisionNumbers> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        if (ProvisioningValidator.Validate(command) is { } invalid)
        {
            await Reject(command.RequestId, invalid, cancellationToken);
            return;
        }

        if (await commands.Load<ProvisioningPlan>(ProvisioningPlan.StreamId(command.RequestId), cancellationToken) is not null)
        {
            return;
        }

        if (await commands.Load<Pool>(Pool.StreamId(command.Pool), cancellationToken) is null)
        {
            await Reject(command.RequestId, new InvalidField("pool", $"No pool named {command.Pool} is defined."), cancellationToken);
            return;
        }

        var chosen = new List<string>();
        var shortfalls = new List<Shortfall>();
        foreach (var (where, areaCode, wanted) in Searches(command))
        {
            var (found, refusal) = await twilio.Search(command.Country, areaCode, command.Region, command.Capabilities, wanted + SearchMargin);
            var held = (await session.LoadManyAsync<Number>(cancellationToken, found)).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var fresh = found.Where(n => !held.Contains(n) && !chosen.Contains(n)).Take(wanted).ToList();
            chosen.AddRange(fresh);
            if (fresh.Count < wanted)
            {
                shortfalls.Add(new Shortfall(where, wanted - fresh.Count, refusal ?? "Twilio offered no more numbers there"));
            }
        }

        var planned = new ProvisioningPlanned(
            command.RequestId, command.Pool, command.Count, [.. chosen], [.. shortfalls], command.RequestedBy, clock.GetUtcNow());
        await commands.Execute<ProvisioningPlan>(
            ProvisioningPlan.StreamId(command.RequestId), null, plan => ProvisioningPlan.Decide(plan, planned), cancellationToken);
        LogPlanned(command.RequestId, command.Pool, command.Count, chosen.Count);
    }

    /// <summary>The searches: the count spread evenly over the area codes (the first ones take the remainder), or one search.</summary>
    internal static IEnumerable<(string Where, int? AreaCode, int Wanted)> Searches(ProvisionNumbers command)
    {
        if (command.AreaCodes.Count == 0)
        {
            yield return (command.Region ?? command.Country, null, command.Count);
            yield break;
        }

        var areaCodes = command.AreaCodes.Distinct().ToList();
        for (var i = 0; i < areaCodes.Count; i++)
        {
            var wanted = (command.Count / areaCodes.Count) + (i < command.Count % areaCodes.Count ? 1 : 0);
            if (wanted > 0)
            {
                yield return (areaCodes[i].ToString(System.Globalization.CultureInfo.InvariantCulture), areaCodes[i], wanted);
            }
        }
    }

    private async Task Reject(string requestId, InvalidField invalid, CancellationToken cancellationToken)
    {
        LogRejected(invalid.Field, invalid.Reason);
        if (!string.IsNullOrWhiteSpace(requestId) && requestId.Length <= ProvisioningValidator.MaxRequestIdLength)
        {
            var rejected = new ProvisioningRejected(requestId, invalid.Field, invalid.Reason, clock.GetUtcNow());
            await commands.Execute<ProvisioningPlan>(ProvisioningPlan.StreamId(requestId), null, plan => ProvisioningPlan.Decide(plan, rejected), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioning {RequestId} for pool {Pool}: {Requested} asked, {Chosen} to buy")]
    private partial void LogPlanned(string requestId, string pool, int requested, int chosen);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a provisioning request: {Field}: {Reason}")]
    private partial void LogRejected(string field, string reason);
}
