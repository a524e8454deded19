using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using WebSocketHandoff.Analyzers;
using WebSocketHandoff.CodeFixes.Editing;

namespace WebSocketHandoff.CodeFixes.Tests
{
    /// <summary>Reading the handoff plan back from a diagnostic: anything short of the contract yields no plan (and no fix), never an exception.</summary>
    public class HandoffPlanTests
    {
        private static readonly SyntaxTree Tree = CSharpSyntaxTree.ParseText("class C { void M() { var a = 1; var b = 2; var c = 3; } }");

        private static Diagnostic Create(ImmutableDictionary<string, string?> properties, int locationCount) =>
            Diagnostic.Create(
                Descriptors.RawTransportUse,
                Location.Create(Tree, new TextSpan(0, 5)),
                Locations(locationCount),
                properties,
                "x");

        private static IEnumerable<Location> Locations(int count)
        {
            for (var i = 0; i < count; i++)
            {
                yield return Location.Create(Tree, new TextSpan(21 + (i * 11), 10));
            }
        }

        private static ImmutableDictionary<string, string?> Plan(string rootCount = "1", string closeCount = "0", string fixable = "true", string kind = "Bcl") =>
            ImmutableDictionary<string, string?>.Empty
                .Add(Descriptors.PropertyCreationKind, kind)
                .Add(Descriptors.PropertyCanAwait, "true")
                .Add(Descriptors.PropertyRootCount, rootCount)
                .Add(Descriptors.PropertyCloseCount, closeCount)
                .Add(Descriptors.PropertyFixable, fixable);

        [Fact]
        public void A_well_formed_plan_is_read_with_its_roots_and_closes()
        {
            var plan = HandoffPlan.TryRead(Create(Plan(rootCount: "1", closeCount: "0"), 3));
            Assert.NotNull(plan);
            Assert.Single(plan!.Roots);
            Assert.Empty(plan.Closes);
            Assert.True(plan.CanAwait);
        }

        [Theory]
        [InlineData("1", "0", "false", "Bcl", 3)]
        [InlineData("1", "0", "true", "Handoff", 3)]
        [InlineData("2", "0", "true", "Bcl", 3)]
        [InlineData("1", "1", "true", "Bcl", 3)]
        [InlineData("0", "0", "true", "Bcl", 2)]
        [InlineData("x", "0", "true", "Bcl", 3)]
        [InlineData("-1", "0", "true", "Bcl", 3)]
        public void A_plan_that_is_not_fixable_or_not_well_formed_is_not_read(string rootCount, string closeCount, string fixable, string kind, int locations)
        {
            Assert.Null(HandoffPlan.TryRead(Create(Plan(rootCount, closeCount, fixable, kind), locations)));
        }

        [Fact]
        public void A_diagnostic_without_properties_has_no_plan()
        {
            Assert.Null(HandoffPlan.TryRead(Create(ImmutableDictionary<string, string?>.Empty, 3)));
        }
    }
}
