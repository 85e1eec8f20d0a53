using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>
/// Adopts numbers the account owns into a pool: each is pointed at the gateway (an update, safe to repeat) and
/// activated; numbers the account does not own, or that the service held before, are reported in the request's record.
/// </summary>
public sealed partial class ImportNumbersConsumer(
    StreamCommands commands, TwilioNumbers twilio, IOptions<NumberPoolOptions> options, TimeProvider clock, ILogger<ImportNumbersConsumer> logger)
    : IConsumer<ImportNumbers>
{
    public async Task Consume(ConsumeContext<ImportNumbers> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        var invalid = ProvisioningValidator.Validate(command)
            ?? (await commands.Load<Pool>(Pool.StreamId(command.Pool), cancellationToken) is null
                ? new InvalidField("pool", $"No pool named {command.Pool} is defined.")
                : null);
        if (invalid is not null)
        {
            LogRejected(invalid.Field, invalid.Reason);
            if (!string.IsNullOrWhiteSpace(command.RequestId) && command.RequestId.Length <= ProvisioningValidator.MaxRequestIdLength)
            {
                var rejected = new ProvisioningRejected(command.RequestId, invalid.Field, invalid.Reason, clock.GetUtcNow());
                await commands.Execute<ProvisioningPlan>(ProvisioningPlan.StreamId(command.RequestId), null, p => ProvisioningPlan.Decide(p, rejected), cancellationToken);
            }

            return;
        }

        var adopted = new List<string>();
        var notOwned = new List<string>();
        foreach (var phoneNumber in command.PhoneNumbers.Distinct())
        {
            var existing = await commands.Load<Number>(phoneNumber, cancellationToken);
            if (existing is not null && existing.Origin != NumberOrigin.Imported)
            {
                notOwned.Add(phoneNumber);
                continue;
            }

            if (await twilio.Owned(phoneNumber) is not { } sid)
            {
                notOwned.Add(phoneNumber);
                continue;
            }

            await twilio.Point(sid, options.Value.Webhooks);
            var activated = Activation.Of(phoneNumber, sid, command.Pool, NumberOrigin.Imported, options.Value, command.RequestedBy, clock.GetUtcNow());
            await commands.Execute<Number>(phoneNumber, null, n => Number.Import(n, activated), cancellationToken);
            adopted.Add(phoneNumber);
        }

        var imported = new NumbersImported(command.RequestId, command.Pool, [.. adopted], [.. notOwned], command.RequestedBy, clock.GetUtcNow());
        await commands.Execute<ProvisioningPlan>(ProvisioningPlan.StreamId(command.RequestId), null, p => ProvisioningPlan.Decide(p, imported), cancellationToken);
        LogImported(command.RequestId, adopted.Count, notOwned.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Import {RequestId}: {Adopted} adopted, {NotOwned} not owned by the account")]
    private partial void LogImported(string requestId, int adopted, int notOwned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected an import request: {Field}: {Reason}")]
    private partial void LogRejected(string field, string reason);
}
