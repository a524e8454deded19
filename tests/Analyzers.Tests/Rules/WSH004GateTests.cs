using System.Threading.Tasks;
using Verify = WebSocketHandoff.Analyzers.Tests.Rules.ReflectVerifier<WebSocketHandoff.Analyzers.WebSocketReflectionAnalyzer>;

namespace WebSocketHandoff.Analyzers.Tests.Rules
{
    /// <summary>
    /// WSH004 looks at the calls of a code block only when the block's text spells a reflection entry point. The gate
    /// must let through every place a reaching call can be written, and every spelling of it.
    /// </summary>
    public class WSH004GateTests
    {
        private const string Usings = @"
using System;
using System.IO;
using System.Net.WebSockets;
using System.Reflection;
";

        [Fact]
        public async Task Lookups_in_every_kind_of_code_block_are_seen()
        {
            await Verify.VerifyAsync(Usings + @"
class Base
{
    protected Base(object? o) { }
}

class C : Base
{
    C() : base({|WSH004:typeof(WebSocket).GetField(""_state"", BindingFlags.NonPublic | BindingFlags.Instance)|}) { }

    object? Property { get; } = {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};

    object? Arrow => {|WSH004:typeof(WebSocket).GetMethod(""ThrowOnInvalidState"", BindingFlags.NonPublic | BindingFlags.Static)|};

    object? this[int i] => {|WSH004:typeof(WebSocket).GetProperty(""Internal"", BindingFlags.NonPublic | BindingFlags.Instance)|};

    object? Accessor
    {
        get { return {|WSH004:typeof(WebSocket).GetMember(""_lock"", BindingFlags.NonPublic | BindingFlags.Instance)|}; }
    }

    public static object? operator +(C c, int i) => {|WSH004:typeof(WebSocket).GetField(""_x"", BindingFlags.NonPublic | BindingFlags.Instance)|};

    object? Local()
    {
        return Find();
        static object? Find() => {|WSH004:typeof(ClientWebSocket).GetField(""_innerWebSocket"", BindingFlags.NonPublic | BindingFlags.Instance)|};
    }
}");
        }

        [Fact]
        public async Task A_lookup_in_the_base_arguments_of_a_primary_constructor_is_seen()
        {
            await Verify.VerifyAsync(Usings + @"
class Base
{
    protected Base(object? o) { }
}

class D(int n) : Base({|WSH004:typeof(WebSocket).GetField(""_state"", BindingFlags.NonPublic | BindingFlags.Instance)|})
{
    public int N => n;
}");
        }

        [Fact]
        public async Task A_lookup_spelled_with_a_unicode_escape_is_seen()
        {
            // The text of the method holds "Get\u0046ield" and no other entry point: the gate lets files with escapes through whole.
            await Verify.VerifyAsync(Usings + @"
class C
{
    private static readonly Type s_socket = typeof(WebSocket);

    static object? M(WebSocket ws) => {|WSH004:s_socket.Get\u0046ield(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
}");
        }

        [Fact]
        public async Task A_block_without_an_entry_point_next_to_one_with_it()
        {
            // One file, two members: the gate is per code block, and the block that spells a lookup is still looked at.
            await Verify.VerifyAsync(Usings + @"
class C
{
    static int Plain(WebSocket ws) => ws.State == WebSocketState.Open ? 1 : 0;

    static object? Steal(WebSocket ws) => {|WSH004:ws.GetType().GetField(""_stream"", BindingFlags.NonPublic | BindingFlags.Instance)|}?.GetValue(ws);
}");
        }
    }
}
