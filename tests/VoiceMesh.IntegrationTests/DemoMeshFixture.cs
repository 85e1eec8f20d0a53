using VoiceMesh.Demo;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A mesh of every service on which the live demo (tools/VoiceMesh.Demo) has run once: <see cref="DemoSpecs"/> checks
/// what it printed, <see cref="OperationsConsoleSpecs"/> reads what it left behind through the operations console,
/// <see cref="ApiDocumentationSpecs"/> reads every service's API description.
/// The gateway's dead-letter API is on (it needs RabbitMQ's management API).
/// </summary>
public sealed class DemoMeshFixture(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
{
    public TestInfrastructure Infrastructure { get; } = infrastructure;

    internal DemoSummary Summary { get; private set; } = null!;

    /// <summary>The demo's step lines and its printed summary.</summary>
    public string Printed { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string> EveryProcess(TestInfrastructure infrastructure) =>
        new Dictionary<string, string> { ["DeadLetters__ManagementUrl"] = infrastructure.RabbitMqManagementUri.ToString() };

    protected override async Task Prepare()
    {
        var progress = new StringWriter();
        var options = new DemoOptions(Mesh.Gateway.BaseAddress, Mesh.ApiKey, Mesh.Simulator.BaseAddress, new Uri(Mesh.PublicBaseUrl));
        Summary = await new DemoScenario(options, progress).Run(TestContext.Current.CancellationToken);
        Summary.Print(progress);
        Printed = progress.ToString();
    }
}

[CollectionDefinition(Name)]
public sealed class DemoMeshGroup : ICollectionFixture<DemoMeshFixture>
{
    public const string Name = "demo mesh";
}
