using VoiceMesh.Testing;

[assembly: AssemblyFixture(typeof(TestInfrastructure))]
