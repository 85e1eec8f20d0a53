using JasperFx;
using Marten;
using Npgsql;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// Appends lease events to a number's ledger from inside a SQL statement, through the event store's own append
/// function (<c>mt_quick_append_events</c>, which Marten creates and uses itself in its quick append mode): the same
/// rows, sequence, versions and type names a Marten session would write. The event's JSON comes from Marten's
/// serializer; the statement only overwrites the fields it decides (<c>jsonb || jsonb_build_object(...)</c>).
/// Arguments are passed by name so a change of the function's signature in a Marten upgrade fails loudly.
/// </summary>
internal sealed class LedgerAppend(IDocumentStore store)
{
    private readonly string _function = $"{store.Options.DatabaseSchemaName}.mt_quick_append_events";

    /// <summary>
    /// The function call appending <paramref name="count"/> events to the ledger of the number in <paramref name="phoneNumber"/>,
    /// stamped <paramref name="timestamp"/> (Marten 9.58 passes each event's timestamp from the client).
    /// </summary>
    /// <param name="firstParameter">The position of the tenant, event type and .NET type parameters <see cref="AddParameters"/> adds.</param>
    public string Call(string phoneNumber, string eventIds, string bodies, string count, string timestamp, int firstParameter) =>
        $"""
        {_function}(stream => {phoneNumber} || '/leases', stream_type => null::varchar, tenantid => ${firstParameter}::varchar,
            event_ids => {eventIds}::uuid[], event_types => array_fill(${firstParameter + 1}::varchar, array[{count}]),
            dotnet_types => array_fill(${firstParameter + 2}::varchar, array[{count}]), bodies => {bodies}::jsonb[],
            bdatas => array_fill(null::bytea, array[{count}]), timestamps => array_fill({timestamp}::timestamptz, array[{count}]))
        """;

    public string Json(object e) => store.Options.Serializer().ToJson(e);

    public void AddParameters(NpgsqlCommand command, Type eventType)
    {
        var mapping = ((Marten.Events.EventGraph)((DocumentStore)store).Options.Events).EventMappingFor(eventType);
        command.Parameters.AddWithValue(StorageConstants.DefaultTenantId);
        command.Parameters.AddWithValue(mapping.EventTypeName);
        command.Parameters.AddWithValue(mapping.DotNetTypeName);
    }
}
