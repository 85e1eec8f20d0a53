using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>Dials at <see cref="ConferencesOptions.DialsPerSecond"/>, one instance at a time (<see cref="PacedConsumerDefinition{TConsumer}"/>).</summary>
public sealed class DialParticipantConsumerDefinition(IOptions<ConferencesOptions> options)
    : PacedConsumerDefinition<DialParticipantConsumer>(options.Value.DialsPerSecond);
