using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;

namespace WebSocketHandoff.Analyzers.Tests
{
    public class ReferenceAssemblyTests
    {
        [Fact]
        public async Task Net80_reference_assemblies_resolve_and_contain_WebSocket()
        {
            var refs = await ReferenceAssemblies.Net.Net80.ResolveAsync(Microsoft.CodeAnalysis.LanguageNames.CSharp, default);
            Assert.Contains(refs, r => r.Display!.EndsWith("System.Net.WebSockets.dll", System.StringComparison.Ordinal));
        }
    }
}
