#!/usr/bin/perl
# words.pl FILE...: the words policy (docs/architecture.md) in C sources.
# Prints "FILE:LINE: why" for each string literal (adjacent literals joined,
# comments dropped) that
#   - mixes Chinese with an English translation ("中文 / English", or a
#     Chinese sentence followed by English words), or
#   - holds Chinese and is printed or formatted by a call that is not
#     gettext's: printf family, puts, ds_err_set, ds_strdup, a prompt.
# Words shown to people are English msgids worded through _() instead.
use strict;
use warnings;

# Chinese characters and punctuation (U+3000-U+9FFF, U+FF00-U+FFEF) as
# UTF-8 bytes: perl-base alone runs this, without the Encode module.
my $cjk = qr/\xe3[\x80-\xbf][\x80-\xbf]|[\xe4-\xe9][\x80-\xbf]{2}|\xef[\xbc-\xbf][\x80-\xbf]/;
my $calls = qr/\b(?:v?[fs]?n?printf|puts|fputs|ds_err_set|ds_strdup|tty_ask|cmdw_pass)\s*\(/;
my $bad = 0;

for my $file (@ARGV) {
	open(my $fh, '<:raw', $file) or die "$file: $!\n";
	local $/;
	my $src = <$fh>;
	close($fh);
	# Blank out comments, keeping the line breaks so lines still count.
	$src =~ s{("(?:[^"\\\n]|\\.)*")|('(?:[^'\\\n]|\\.)*')|(/\*.*?\*/)|(//[^\n]*)}{
		defined $1 ? $1 : defined $2 ? $2 : ($3 // $4) =~ s/[^\n]/ /gr
	}gse;
	# Statements: up to ';', '{' or '}' outside literals.
	my $line = 1;
	while ($src =~ /\G((?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[^;{}"'])*)([;{}]|\z)/gc) {
		my $st = $1;
		my $start = $line;
		$line += ($st =~ tr/\n//);
		last if $2 eq '' && $st eq '';
		next unless $st =~ $cjk;
		# Each run of adjacent literals is one string.
		my $plain = $st;
		# What _() and N_() wrap is gettext's: not printed as is.
		$plain =~ s/\bN?_\(\s*(?:"(?:[^"\\\n]|\\.)*"\s*)+\)//g;
		while ($st =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
			my ($lits, $off) = ($1, $-[1]);
			my $text = join('', $lits =~ /"((?:[^"\\\n]|\\.)*)"/g);
			next unless $text =~ $cjk;
			my $at = $start + (substr($st, 0, $off) =~ tr/\n//);
			if ($text =~ /$cjk[^\/]*\s\/\s*[A-Za-z]/ ||
			    $text =~ /$cjk.*?[A-Za-z]+[ ,;:]+[A-Za-z]+[ ,;:]+[A-Za-z]+[ ,;:]+[A-Za-z]+/ ||
			    $text =~ /[A-Za-z]+ [A-Za-z]+ [A-Za-z]+[^\/]*\s\/\s*$cjk/) {
				print "$file:$at: Chinese and English in one string\n";
				$bad = 1;
			} elsif ($st =~ $calls && index($plain, $lits) >= 0) {
				print "$file:$at: Chinese printed without gettext\n";
				$bad = 1;
			}
		}
	}
}
exit($bad);
